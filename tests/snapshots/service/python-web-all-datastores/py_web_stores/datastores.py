"""Clients for the datastores of this service, each guarded by a circuit breaker.

Create one `Datastores` per process and share it (the web app keeps it in
`app.state.datastores`). Each method is a context manager for one
unit of work; any exception inside the block counts against that datastore's
breaker, and while the breaker is open the block fails at once with
`pybreaker.CircuitBreakerError`::

    with datastores.postgres() as connection:
        ...
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import boto3
import psycopg
import pymysql
import redis
from botocore.config import Config
from pymemcache.client.hash import HashClient

from .breakers import new_breaker
from .settings import Settings

DATASTORES = ("postgres", "mysql", "redis", "memcached", "dynamodb")
CONNECT_TIMEOUT_SECONDS = 3
OPERATION_TIMEOUT_SECONDS = 5


class Datastores:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.breakers = {name: new_breaker(name) for name in DATASTORES}

    @contextmanager
    def postgres(self) -> Iterator[psycopg.Connection]:
        """A new connection, committed when the block succeeds, rolled back otherwise."""
        pg = self.settings.postgres
        with (
            self.breakers["postgres"].calling(),
            psycopg.connect(
                host=pg.host,
                port=pg.port,
                dbname=pg.database,
                user=pg.user,
                password=pg.password,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name=self.settings.service_name,
            ) as connection,
        ):
            yield connection

    @contextmanager
    def mysql(self) -> Iterator[pymysql.connections.Connection]:
        """A new connection, committed when the block succeeds, rolled back otherwise."""
        my = self.settings.mysql
        with self.breakers["mysql"].calling():
            connection = pymysql.connect(
                host=my.host,
                port=my.port,
                database=my.database,
                user=my.user,
                password=my.password,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                read_timeout=OPERATION_TIMEOUT_SECONDS,
                write_timeout=OPERATION_TIMEOUT_SECONDS,
            )
            try:
                yield connection
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                connection.close()

    @cached_property
    def _redis(self) -> redis.Redis:
        # A pool shared by the process; connects on first use.
        return redis.Redis.from_url(
            self.settings.redis_url,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=OPERATION_TIMEOUT_SECONDS,
            health_check_interval=30,
        )

    @contextmanager
    def redis(self) -> Iterator[redis.Redis]:
        with self.breakers["redis"].calling():
            yield self._redis

    @cached_property
    def _memcached(self) -> HashClient:
        # ElastiCache runs with in-transit encryption: TLS everywhere but locally.
        tls = None if self.settings.environment == "local" else ssl.create_default_context()
        return HashClient(
            [(server.host, server.port) for server in self.settings.memcached_servers],
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            timeout=OPERATION_TIMEOUT_SECONDS,
            use_pooling=True,
            tls_context=tls,
            # Drop a failing server at once (for 60 s) and raise, so the breaker sees it.
            retry_attempts=0,
        )

    @contextmanager
    def memcached(self) -> Iterator[HashClient]:
        with self.breakers["memcached"].calling():
            yield self._memcached

    @cached_property
    def _dynamodb(self) -> Any:
        return boto3.resource(
            "dynamodb",
            region_name=self.settings.aws_region,
            config=Config(
                retries={"mode": "standard"},
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                read_timeout=OPERATION_TIMEOUT_SECONDS,
            ),
        )

    @contextmanager
    def dynamodb(self) -> Iterator[Any]:
        """The service's table (a boto3 `Table`)."""
        with self.breakers["dynamodb"].calling():
            yield self._dynamodb.Table(self.settings.dynamodb_table)
