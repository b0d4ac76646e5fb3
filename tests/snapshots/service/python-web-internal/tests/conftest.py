"""Shared fixtures: an isolated environment and settings built from it."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest

from py_web_int.settings import Settings


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No real AWS account or endpoint, and the logging set-up restored after each test."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
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
    """The service's environment as ECS sets it."""
    return {
        "SERVICE_NAME": "py-web-int",
        "ENVIRONMENT": "local",
        "LOG_LEVEL": "INFO",
        "AWS_REGION": "us-east-1",
        "PORT": "8080",
    }


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return Settings.from_env(env)
