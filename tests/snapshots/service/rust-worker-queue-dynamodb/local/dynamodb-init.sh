#!/usr/bin/env bash
# Creates the table of rs-queue-stores in DynamoDB Local; docker compose runs
# it once before the service starts. Same keys as the table in terraform:
# partition key `pk` and sort key `sk`, both strings.
set -Eeuo pipefail

table="${DYNAMODB_TABLE:?DYNAMODB_TABLE is not set}"
attempts=30

for attempt in $(seq 1 "$attempts"); do
  if aws dynamodb describe-table --table-name "$table" >/dev/null 2>&1; then
    echo "dynamodb-init: table $table is ready"
    exit 0
  fi
  if aws dynamodb create-table \
    --table-name "$table" \
    --attribute-definitions AttributeName=pk,AttributeType=S AttributeName=sk,AttributeType=S \
    --key-schema AttributeName=pk,KeyType=HASH AttributeName=sk,KeyType=RANGE \
    --billing-mode PAY_PER_REQUEST >/dev/null; then
    echo "dynamodb-init: created table $table"
    exit 0
  fi
  echo "dynamodb-init: DynamoDB Local is not answering yet (attempt $attempt of $attempts)" >&2
  sleep 1
done

echo "dynamodb-init: could not create table $table at ${AWS_ENDPOINT_URL_DYNAMODB:-the default endpoint}" >&2
exit 1
