from __future__ import annotations

import pytest

from py_queue.settings import Settings, SettingsError


def test_reads_the_contract_variables(env: dict[str, str]) -> None:
    settings = Settings.from_env({**env, "ENVIRONMENT": "prod", "LOG_LEVEL": "debug"})

    assert settings.service_name == "py-queue"
    assert settings.environment == "prod"
    assert settings.log_level == "DEBUG"
    assert settings.aws_region == "us-east-1"
    assert settings.queue_url == env["QUEUE_URL"]


def test_defaults_for_a_bare_local_run(env: dict[str, str]) -> None:
    for name in ("SERVICE_NAME", "ENVIRONMENT", "LOG_LEVEL", "AWS_REGION"):
        del env[name]

    settings = Settings.from_env(env)

    assert (settings.service_name, settings.environment, settings.log_level) == (
        "py-queue",
        "local",
        "INFO",
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ENVIRONMENT", "production"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_malformed_values_are_refused_by_name(env: dict[str, str], name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**env, name: value})


@pytest.mark.parametrize(
    "name",
    [
        "QUEUE_URL",
    ],
)
def test_required_variables_are_named_when_missing(env: dict[str, str], name: str) -> None:
    del env[name]

    with pytest.raises(SettingsError, match=f"{name} is required"):
        Settings.from_env(env)
