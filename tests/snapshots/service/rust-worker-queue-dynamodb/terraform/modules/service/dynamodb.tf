# DynamoDB table of rs-queue-stores: on-demand capacity, point-in-time
# recovery, encrypted with the service key, protected from deletion.
# Generic single-table keys: pk (partition) and sk (sort).

locals {
  dynamodb_environment = {
    DYNAMODB_TABLE = aws_dynamodb_table.this.name
  }
}

resource "aws_dynamodb_table" "this" {
  name                        = local.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = true

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }
}
