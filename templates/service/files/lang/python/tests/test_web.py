from __future__ import annotations

import logging
import signal

import pytest
import uvicorn
from fastapi.testclient import TestClient

from {{ package_name }}.settings import Settings
from {{ package_name }}.web import Server, create_app
{%- if datastores %}


def _with_{{ datastores[0] }}_down(env: dict[str, str], port: int) -> Settings:
    """Settings whose {{ datastores[0] }} endpoint is a local port nothing listens on."""
{%- if datastores[0] == "postgres" %}
    return Settings.from_env({**env, "POSTGRES_PORT": str(port)})
{%- elif datastores[0] == "mysql" %}
    return Settings.from_env({**env, "MYSQL_PORT": str(port)})
{%- elif datastores[0] == "redis" %}
    return Settings.from_env({**env, "REDIS_URL": f"redis://127.0.0.1:{port}/0"})
{%- elif datastores[0] == "memcached" %}
    return Settings.from_env({**env, "MEMCACHED_SERVERS": f"127.0.0.1:{port}"})
{%- else %}
    return Settings.from_env({**env, "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{port}"})
{%- endif %}
{%- endif %}


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


def test_health_has_no_dependencies(env: dict[str, str], closed_port: int) -> None:
{%- if datastores %}
    # Even with a datastore down, the process itself is alive.
    client = TestClient(create_app(_with_{{ datastores[0] }}_down(env, closed_port)))
{%- else %}
    client = TestClient(create_app(Settings.from_env(env)))
{%- endif %}

    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_every_datastore_answers(client: TestClient) -> None:
    response = client.get("/ready")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
{%- if datastores %}
    assert set(response.json()["checks"].values()) == {"ok"}
{%- else %}
    assert response.json()["checks"] == {}
{%- endif %}
{%- if datastores %}


def test_not_ready_while_a_datastore_is_unreachable(env: dict[str, str], closed_port: int) -> None:
    client = TestClient(create_app(_with_{{ datastores[0] }}_down(env, closed_port)))

    response = client.get("/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    failed = [name for name, result in body["checks"].items() if result != "ok"]
    assert failed == [f"{{ datastores[0] }}@127.0.0.1:{closed_port}"]
{%- endif %}


def test_not_ready_once_draining(client: TestClient) -> None:
    client.app.state.draining = True

    response = client.get("/ready")

    assert response.status_code == 503
    assert response.json() == {"status": "draining"}
    assert client.get("/health").status_code == 200


def test_sigterm_starts_draining_and_stops_the_server(settings: Settings) -> None:
    app = create_app(settings)
    server = Server(uvicorn.Config(app), app)

    server.handle_exit(signal.SIGTERM, None)

    assert app.state.draining is True
    assert server.should_exit is True


def test_requests_are_logged_but_probes_are_not(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="{{ package_name }}.web")

    client.get("/health")
    client.get("/missing")

    logged = [r for r in caplog.records if r.getMessage() == "http.request"]
    assert [(r.method, r.path, r.status) for r in logged] == [("GET", "/missing", 404)]
