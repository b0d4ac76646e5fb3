"""Runtime settings, read once at start-up from the environment.

The variables are the same in every environment: docker-compose sets them
locally, the ECS task definition in AWS (secrets come from Secrets Manager).
A missing or malformed variable stops the process before it does any work.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

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
class Settings:
    service_name: str
    environment: str
    log_level: str
    aws_region: str
    port: int

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
            service_name=_get(env, "SERVICE_NAME", "py-web-int"),
            environment=environment,
            log_level=log_level,
            aws_region=_get(env, "AWS_REGION", "us-east-1"),
            port=_port(env, "PORT", "8080"),
        )

    def dependencies(self) -> list[Endpoint]:
        """What /ready checks: one TCP endpoint per configured datastore."""
        return []


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
