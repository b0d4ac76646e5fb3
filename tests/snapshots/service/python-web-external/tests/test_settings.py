from __future__ import annotations

import pytest

from py_web_ext.settings import Settings, SettingsError


def test_reads_the_contract_variables(env: dict[str, str]) -> None:
    settings = Settings.from_env({**env, "ENVIRONMENT": "prod", "LOG_LEVEL": "debug"})

    assert settings.service_name == "py-web-ext"
    assert settings.environment == "prod"
    assert settings.log_level == "DEBUG"
    assert settings.aws_region == "us-east-1"
    assert settings.port == 8080


def test_defaults_for_a_bare_local_run(env: dict[str, str]) -> None:
    for name in ("SERVICE_NAME", "ENVIRONMENT", "LOG_LEVEL", "AWS_REGION", "PORT"):
        del env[name]

    settings = Settings.from_env(env)

    assert (settings.service_name, settings.environment, settings.log_level) == (
        "py-web-ext",
        "local",
        "INFO",
    )
    assert settings.port == 8080


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ENVIRONMENT", "production"),
        ("LOG_LEVEL", "LOUD"),
        ("PORT", "http"),
        ("PORT", "70000"),
    ],
)
def test_malformed_values_are_refused_by_name(env: dict[str, str], name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**env, name: value})


def test_ready_checks_one_endpoint_per_datastore(settings: Settings) -> None:
    assert settings.dependencies() == []
