"""Runtime settings, read once at start-up from the environment.

The variables are the same in every environment: docker-compose sets them
locally, the ECS task definition in AWS (secrets come from Secrets Manager).
A missing or malformed variable stops the process before it does any work.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

ENVIRONMENTS = ("local", "dev", "staging", "prod")


class SettingsError(ValueError):
    """A required environment variable is missing or malformed."""


@dataclass(frozen=True)
class Endpoint:
    """A host and port the service talks to."""

    name: str
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    database: str
    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Mysql:
    host: str
    port: int
    database: str
    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Settings:
    service_name: str
    environment: str
    log_level: str
    aws_region: str
    port: int
    postgres: Postgres
    mysql: Mysql
    redis_url: str = field(repr=False)  # may carry a password
    memcached_servers: tuple[Endpoint, ...]
    dynamodb_table: str
    dynamodb_endpoint_url: str | None  # AWS_ENDPOINT_URL_DYNAMODB, set locally only

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Reads the settings from `env` (default: the process environment)."""
        env = os.environ if env is None else env
        environment = _get(env, "ENVIRONMENT", "local")
        if environment not in ENVIRONMENTS:
            allowed = ", ".join(ENVIRONMENTS)
            raise SettingsError(f"ENVIRONMENT must be one of {allowed}, got {environment!r}")
        log_level = _get(env, "LOG_LEVEL", "INFO").upper()
        if log_level not in logging.getLevelNamesMapping():
            raise SettingsError(f"LOG_LEVEL must be a level name such as INFO, got {log_level!r}")
        return cls(
            service_name=_get(env, "SERVICE_NAME", "py-web-stores"),
            environment=environment,
            log_level=log_level,
            aws_region=_get(env, "AWS_REGION", "us-east-1"),
            port=_port(env, "PORT", "8080"),
            postgres=Postgres(
                host=_get(env, "POSTGRES_HOST"),
                port=_port(env, "POSTGRES_PORT", "5432"),
                database=_get(env, "POSTGRES_DB"),
                user=_get(env, "POSTGRES_USER"),
                password=_get(env, "POSTGRES_PASSWORD"),
            ),
            mysql=Mysql(
                host=_get(env, "MYSQL_HOST"),
                port=_port(env, "MYSQL_PORT", "3306"),
                database=_get(env, "MYSQL_DATABASE"),
                user=_get(env, "MYSQL_USER"),
                password=_get(env, "MYSQL_PASSWORD"),
            ),
            redis_url=_redis_url(env),
            memcached_servers=_servers(env, "MEMCACHED_SERVERS", default_port=11211),
            dynamodb_table=_get(env, "DYNAMODB_TABLE"),
            dynamodb_endpoint_url=env.get("AWS_ENDPOINT_URL_DYNAMODB") or None,
        )

    def dependencies(self) -> list[Endpoint]:
        """What /ready checks: one TCP endpoint per configured datastore."""
        return [
            Endpoint("postgres", self.postgres.host, self.postgres.port),
            Endpoint("mysql", self.mysql.host, self.mysql.port),
            _url_endpoint("redis", self.redis_url, default_port=6379),
            *self.memcached_servers,
            _url_endpoint(
                "dynamodb",
                self.dynamodb_endpoint_url or f"https://dynamodb.{self.aws_region}.amazonaws.com",
                default_port=443,
            ),
        ]


def _get(env: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = env.get(name, "").strip() or default
    if not value:
        raise SettingsError(f"environment variable {name} is required")
    return value


def _port(env: Mapping[str, str], name: str, default: str) -> int:
    return _parse_port(name, _get(env, name, default))


def _parse_port(name: str, raw: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a port number, got {raw!r}") from None
    if not 0 < port < 65536:
        raise SettingsError(f"{name} must be a port number, got {raw!r}")
    return port


def _redis_url(env: Mapping[str, str]) -> str:
    url = _get(env, "REDIS_URL")
    if urlsplit(url).scheme not in ("redis", "rediss") or not urlsplit(url).hostname:
        raise SettingsError("REDIS_URL must look like redis://host:6379/0 (rediss:// for TLS)")
    return url


def _servers(env: Mapping[str, str], name: str, default_port: int) -> tuple[Endpoint, ...]:
    servers = []
    for item in (part.strip() for part in _get(env, name).split(",")):
        host, colon, port = item.rpartition(":")
        if not colon:
            host, port = item, ""
        if not host:
            raise SettingsError(f"{name} must be host:port[,host:port...], got {item!r}")
        port_number = _parse_port(name, port) if port else default_port
        servers.append(Endpoint("memcached", host, port_number))
    return tuple(servers)


def _url_endpoint(name: str, url: str, default_port: int) -> Endpoint:
    parts = urlsplit(url)
    return Endpoint(name, parts.hostname or "", parts.port or default_port)
