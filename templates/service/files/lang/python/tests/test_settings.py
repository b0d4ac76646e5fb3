{%- set web = kind == "web" -%}
{%- set queue = kind == "worker" and trigger == "queue" -%}
from __future__ import annotations

import pytest

from {{ package_name }}.settings import Settings, SettingsError


def test_reads_the_contract_variables(env: dict[str, str]) -> None:
    settings = Settings.from_env({**env, "ENVIRONMENT": "prod", "LOG_LEVEL": "debug"})

    assert settings.service_name == "{{ service_name }}"
    assert settings.environment == "prod"
    assert settings.log_level == "DEBUG"
    assert settings.aws_region == "{{ aws_region }}"
{%- if web %}
    assert settings.port == {{ container_port }}
{%- endif %}
{%- if queue %}
    assert settings.queue_url == env["QUEUE_URL"]
{%- endif %}
{%- if "postgres" in datastores %}
    assert settings.postgres.port == int(env["POSTGRES_PORT"])
{%- endif %}
{%- if "mysql" in datastores %}
    assert settings.mysql.database == "{{ package_name }}"
{%- endif %}
{%- if "dynamodb" in datastores %}
    assert settings.dynamodb_table == "{{ service_name }}"
{%- endif %}


def test_defaults_for_a_bare_local_run(env: dict[str, str]) -> None:
    for name in ("SERVICE_NAME", "ENVIRONMENT", "LOG_LEVEL", "AWS_REGION"{% if web %}, "PORT"{% endif %}):
        del env[name]

    settings = Settings.from_env(env)

    assert (settings.service_name, settings.environment, settings.log_level) == (
        "{{ service_name }}",
        "local",
        "INFO",
    )
{%- if web %}
    assert settings.port == {{ container_port }}
{%- endif %}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ENVIRONMENT", "production"),
        ("LOG_LEVEL", "LOUD"),
{%- if web %}
        ("PORT", "http"),
        ("PORT", "70000"),
{%- endif %}
{%- if "postgres" in datastores %}
        ("POSTGRES_PORT", "0"),
{%- endif %}
{%- if "redis" in datastores %}
        ("REDIS_URL", "localhost:6379"),
{%- endif %}
{%- if "memcached" in datastores %}
        ("MEMCACHED_SERVERS", "cache:11211,:11211"),
{%- endif %}
    ],
)
def test_malformed_values_are_refused_by_name(env: dict[str, str], name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**env, name: value})
{%- if queue or datastores %}


@pytest.mark.parametrize(
    "name",
    [
{%- if queue %}
        "QUEUE_URL",
{%- endif %}
{%- if "postgres" in datastores %}
        "POSTGRES_HOST",
        "POSTGRES_PASSWORD",
{%- endif %}
{%- if "mysql" in datastores %}
        "MYSQL_HOST",
        "MYSQL_PASSWORD",
{%- endif %}
{%- if "redis" in datastores %}
        "REDIS_URL",
{%- endif %}
{%- if "memcached" in datastores %}
        "MEMCACHED_SERVERS",
{%- endif %}
{%- if "dynamodb" in datastores %}
        "DYNAMODB_TABLE",
{%- endif %}
    ],
)
def test_required_variables_are_named_when_missing(env: dict[str, str], name: str) -> None:
    del env[name]

    with pytest.raises(SettingsError, match=f"{name} is required"):
        Settings.from_env(env)
{%- endif %}
{%- if "postgres" in datastores or "mysql" in datastores or "redis" in datastores %}


def test_secrets_stay_out_of_repr(settings: Settings) -> None:
    text = repr(settings)
{% if "postgres" in datastores %}
    assert "pg-secret" not in text
{%- endif %}
{%- if "mysql" in datastores %}
    assert "mysql-secret" not in text
{%- endif %}
{%- if "redis" in datastores %}
    assert "redis-secret" not in text
{%- endif %}
{%- endif %}
{%- if "memcached" in datastores %}


def test_memcached_servers_take_a_list_with_default_port(env: dict[str, str]) -> None:
    env["MEMCACHED_SERVERS"] = "cache-1:11212, cache-2"

    servers = Settings.from_env(env).memcached_servers

    assert [(s.host, s.port) for s in servers] == [("cache-1", 11212), ("cache-2", 11211)]
{%- endif %}
{%- if web %}


def test_ready_checks_one_endpoint_per_datastore(settings: Settings) -> None:
{%- if datastores %}
    names = [endpoint.name for endpoint in settings.dependencies()]

    assert names == [{% for d in datastores %}"{{ d }}"{% if not loop.last %}, {% endif %}{% endfor %}]
{%- if "dynamodb" in datastores %}


def test_dynamodb_is_checked_at_the_regional_endpoint_in_aws(env: dict[str, str]) -> None:
    del env["AWS_ENDPOINT_URL_DYNAMODB"]

    (dynamodb,) = [e for e in Settings.from_env(env).dependencies() if e.name == "dynamodb"]

    assert (dynamodb.host, dynamodb.port) == ("dynamodb.{{ aws_region }}.amazonaws.com", 443)
{%- endif %}
{%- else %}
    assert settings.dependencies() == []
{%- endif %}
{%- endif %}
