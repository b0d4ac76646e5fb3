from __future__ import annotations

import logging
import signal

import pytest
import uvicorn
from fastapi.testclient import TestClient

from py_web_ext.settings import Settings
from py_web_ext.web import Server, create_app


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


def test_health_has_no_dependencies(env: dict[str, str], closed_port: int) -> None:
    client = TestClient(create_app(Settings.from_env(env)))

    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_every_datastore_answers(client: TestClient) -> None:
    response = client.get("/ready")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["checks"] == {}


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
    caplog.set_level(logging.INFO, logger="py_web_ext.web")

    client.get("/health")
    client.get("/missing")

    logged = [r for r in caplog.records if r.getMessage() == "http.request"]
    assert [(r.method, r.path, r.status) for r in logged] == [("GET", "/missing", 404)]
