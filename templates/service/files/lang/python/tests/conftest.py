{%- set web = kind == "web" -%}
{%- set queue = kind == "worker" and trigger == "queue" -%}
{%- set aws = queue or "dynamodb" in datastores -%}
"""Shared fixtures: an isolated environment and settings built from it."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest

from {{ package_name }}.settings import Settings


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No real AWS account or endpoint, and the logging set-up restored after each test."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
{%- if aws %}
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
{%- endif %}
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


@pytest.fixture
def listening() -> Iterator[tuple[str, int]]:
    """A local TCP port that accepts connections."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        host, port = server.getsockname()[:2]
        yield host, port


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def env(listening: tuple[str, int]) -> dict[str, str]:
    """The service's environment as ECS sets it{% if datastores %}; every datastore at `listening`{% endif %}."""
{%- if datastores %}
    host, port = listening
{%- endif %}
    return {
        "SERVICE_NAME": "{{ service_name }}",
        "ENVIRONMENT": "local",
        "LOG_LEVEL": "INFO",
        "AWS_REGION": "{{ aws_region }}",
{%- if web %}
        "PORT": "{{ container_port }}",
{%- endif %}
{%- if queue %}
        "QUEUE_URL": "https://sqs.{{ aws_region }}.amazonaws.com/123456789012/{{ service_name }}",
{%- endif %}
{%- if "postgres" in datastores %}
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(port),
        "POSTGRES_DB": "{{ package_name }}",
        "POSTGRES_USER": "{{ package_name }}",
        "POSTGRES_PASSWORD": "pg-secret",
{%- endif %}
{%- if "mysql" in datastores %}
        "MYSQL_HOST": host,
        "MYSQL_PORT": str(port),
        "MYSQL_DATABASE": "{{ package_name }}",
        "MYSQL_USER": "{{ package_name }}",
        "MYSQL_PASSWORD": "mysql-secret",
{%- endif %}
{%- if "redis" in datastores %}
        "REDIS_URL": f"redis://:redis-secret@{host}:{port}/0",
{%- endif %}
{%- if "memcached" in datastores %}
        "MEMCACHED_SERVERS": f"{host}:{port}",
{%- endif %}
{%- if "dynamodb" in datastores %}
        "DYNAMODB_TABLE": "{{ service_name }}",
        "AWS_ENDPOINT_URL_DYNAMODB": f"http://{host}:{port}",
{%- endif %}
    }


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return Settings.from_env(env)
