from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import psycopg
import pybreaker
import pymysql
import pytest
import redis
from moto import mock_aws
from pymemcache.exceptions import MemcacheError

from py_web_stores.breakers import FAIL_MAX
from py_web_stores.datastores import Datastores
from py_web_stores.settings import Settings


def use_postgres(stores: Datastores) -> None:
    with stores.postgres() as connection:
        connection.execute("SELECT 1")


def use_mysql(stores: Datastores) -> None:
    with stores.mysql() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def use_redis(stores: Datastores) -> None:
    with stores.redis() as client:
        client.ping()


def use_memcached(stores: Datastores) -> None:
    with stores.memcached() as client:
        client.get("probe")


@pytest.mark.parametrize(
    ("name", "use", "failure"),
    [
        ("postgres", use_postgres, psycopg.OperationalError),
        ("mysql", use_mysql, pymysql.err.OperationalError),
        ("redis", use_redis, redis.exceptions.ConnectionError),
        ("memcached", use_memcached, (OSError, MemcacheError)),
    ],
)
def test_the_breaker_opens_while_a_datastore_is_down(
    env: dict[str, str],
    closed_port: int,
    name: str,
    use: Callable[[Datastores], None],
    failure: type[Exception] | tuple[type[Exception], ...],
) -> None:
    down = {
        "POSTGRES_PORT": str(closed_port),
        "MYSQL_PORT": str(closed_port),
        "REDIS_URL": f"redis://127.0.0.1:{closed_port}/0",
        "MEMCACHED_SERVERS": f"127.0.0.1:{closed_port}",
    }
    stores = Datastores(Settings.from_env({**env, **down}))

    for _ in range(FAIL_MAX - 1):
        with pytest.raises(failure):
            use(stores)
    with pytest.raises(pybreaker.CircuitBreakerError):
        use(stores)  # the failure that opens it

    assert stores.breakers[name].current_state == "open"
    with pytest.raises(pybreaker.CircuitBreakerError):
        use(stores)  # fails fast without connecting


@pytest.fixture
def table(settings: Settings) -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name=settings.aws_region)
        yield dynamodb.create_table(
            TableName=settings.dynamodb_table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )


def test_dynamodb_reads_and_writes_the_service_table(settings: Settings, table: Any) -> None:
    stores = Datastores(settings)

    with stores.dynamodb() as service_table:
        service_table.put_item(Item={"pk": "order#1", "state": "accepted"})
    with stores.dynamodb() as service_table:
        item = service_table.get_item(Key={"pk": "order#1"})["Item"]

    assert item == {"pk": "order#1", "state": "accepted"}
    assert table.scan()["Items"] == [item]
