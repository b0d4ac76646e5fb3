from __future__ import annotations

import pytest

from py_web_stores.settings import Settings, SettingsError


def test_reads_the_contract_variables(env: dict[str, str]) -> None:
    settings = Settings.from_env({**env, "ENVIRONMENT": "prod", "LOG_LEVEL": "debug"})

    assert settings.service_name == "py-web-stores"
    assert settings.environment == "prod"
    assert settings.log_level == "DEBUG"
    assert settings.aws_region == "us-east-1"
    assert settings.port == 8080
    assert settings.postgres.port == int(env["POSTGRES_PORT"])
    assert settings.mysql.database == "py_web_stores"
    assert settings.dynamodb_table == "py-web-stores"


def test_defaults_for_a_bare_local_run(env: dict[str, str]) -> None:
    for name in ("SERVICE_NAME", "ENVIRONMENT", "LOG_LEVEL", "AWS_REGION", "PORT"):
        del env[name]

    settings = Settings.from_env(env)

    assert (settings.service_name, settings.environment, settings.log_level) == (
        "py-web-stores",
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
        ("POSTGRES_PORT", "0"),
        ("REDIS_URL", "localhost:6379"),
        ("MEMCACHED_SERVERS", "cache:11211,:11211"),
    ],
)
def test_malformed_values_are_refused_by_name(env: dict[str, str], name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**env, name: value})


@pytest.mark.parametrize(
    "name",
    [
        "POSTGRES_HOST",
        "POSTGRES_PASSWORD",
        "MYSQL_HOST",
        "MYSQL_PASSWORD",
        "REDIS_URL",
        "MEMCACHED_SERVERS",
        "DYNAMODB_TABLE",
    ],
)
def test_required_variables_are_named_when_missing(env: dict[str, str], name: str) -> None:
    del env[name]

    with pytest.raises(SettingsError, match=f"{name} is required"):
        Settings.from_env(env)


def test_secrets_stay_out_of_repr(settings: Settings) -> None:
    text = repr(settings)

    assert "pg-secret" not in text
    assert "mysql-secret" not in text
    assert "redis-secret" not in text


def test_memcached_servers_take_a_list_with_default_port(env: dict[str, str]) -> None:
    env["MEMCACHED_SERVERS"] = "cache-1:11212, cache-2"

    servers = Settings.from_env(env).memcached_servers

    assert [(s.host, s.port) for s in servers] == [("cache-1", 11212), ("cache-2", 11211)]


def test_ready_checks_one_endpoint_per_datastore(settings: Settings) -> None:
    names = [endpoint.name for endpoint in settings.dependencies()]

    assert names == ["postgres", "mysql", "redis", "memcached", "dynamodb"]


def test_dynamodb_is_checked_at_the_regional_endpoint_in_aws(env: dict[str, str]) -> None:
    del env["AWS_ENDPOINT_URL_DYNAMODB"]

    (dynamodb,) = [e for e in Settings.from_env(env).dependencies() if e.name == "dynamodb"]

    assert (dynamodb.host, dynamodb.port) == ("dynamodb.us-east-1.amazonaws.com", 443)
