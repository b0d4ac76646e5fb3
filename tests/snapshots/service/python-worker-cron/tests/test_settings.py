from __future__ import annotations

import pytest

from py_cron.settings import Settings, SettingsError


def test_reads_the_contract_variables(env: dict[str, str]) -> None:
    settings = Settings.from_env({**env, "ENVIRONMENT": "prod", "LOG_LEVEL": "debug"})

    assert settings.service_name == "py-cron"
    assert settings.environment == "prod"
    assert settings.log_level == "DEBUG"
    assert settings.aws_region == "us-east-1"


def test_defaults_for_a_bare_local_run(env: dict[str, str]) -> None:
    for name in ("SERVICE_NAME", "ENVIRONMENT", "LOG_LEVEL", "AWS_REGION"):
        del env[name]

    settings = Settings.from_env(env)

    assert (settings.service_name, settings.environment, settings.log_level) == (
        "py-cron",
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
