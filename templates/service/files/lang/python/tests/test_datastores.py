{%- set sql_or_cache = datastores | length > (1 if "dynamodb" in datastores else 0) -%}
from __future__ import annotations

from collections.abc import {% if sql_or_cache %}Callable{% endif %}{% if sql_or_cache and "dynamodb" in datastores %}, {% endif %}{% if "dynamodb" in datastores %}Iterator{% endif %}
{%- if "dynamodb" in datastores %}
from typing import Any
{%- endif %}

{% if "dynamodb" in datastores %}import boto3
{% endif %}{% if "postgres" in datastores %}import psycopg
{% endif %}{% if sql_or_cache %}import pybreaker
{% endif %}{% if "mysql" in datastores %}import pymysql
{% endif %}import pytest
{% if "redis" in datastores %}import redis
{% endif %}{% if "dynamodb" in datastores %}from moto import mock_aws
{% endif %}{% if "memcached" in datastores %}from pymemcache.exceptions import MemcacheError
{% endif %}
{% if sql_or_cache %}from {{ package_name }}.breakers import FAIL_MAX
{% endif %}from {{ package_name }}.datastores import Datastores
from {{ package_name }}.settings import Settings
{%- if "postgres" in datastores %}


def use_postgres(stores: Datastores) -> None:
    with stores.postgres() as connection:
        connection.execute("SELECT 1")
{%- endif %}
{%- if "mysql" in datastores %}


def use_mysql(stores: Datastores) -> None:
    with stores.mysql() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1")
{%- endif %}
{%- if "redis" in datastores %}


def use_redis(stores: Datastores) -> None:
    with stores.redis() as client:
        client.ping()
{%- endif %}
{%- if "memcached" in datastores %}


def use_memcached(stores: Datastores) -> None:
    with stores.memcached() as client:
        client.get("probe")
{%- endif %}
{%- if sql_or_cache %}


@pytest.mark.parametrize(
    ("name", "use", "failure"),
    [
{%- if "postgres" in datastores %}
        ("postgres", use_postgres, psycopg.OperationalError),
{%- endif %}
{%- if "mysql" in datastores %}
        ("mysql", use_mysql, pymysql.err.OperationalError),
{%- endif %}
{%- if "redis" in datastores %}
        ("redis", use_redis, redis.exceptions.ConnectionError),
{%- endif %}
{%- if "memcached" in datastores %}
        ("memcached", use_memcached, (OSError, MemcacheError)),
{%- endif %}
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
{%- if "postgres" in datastores %}
        "POSTGRES_PORT": str(closed_port),
{%- endif %}
{%- if "mysql" in datastores %}
        "MYSQL_PORT": str(closed_port),
{%- endif %}
{%- if "redis" in datastores %}
        "REDIS_URL": f"redis://127.0.0.1:{closed_port}/0",
{%- endif %}
{%- if "memcached" in datastores %}
        "MEMCACHED_SERVERS": f"127.0.0.1:{closed_port}",
{%- endif %}
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
{%- endif %}
{%- if "dynamodb" in datastores %}


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

{%- endif %}
