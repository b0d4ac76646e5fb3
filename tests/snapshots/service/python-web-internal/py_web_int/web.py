"""The HTTP service: a FastAPI app served by uvicorn.

- `GET /health`: liveness, no dependencies (the load balancer's and ECS's probe).
- `GET /ready`: readiness, a TCP connect to every configured datastore; 503 once
  the process is draining.
- SIGTERM (ECS stopping the task): stop accepting connections, let in-flight
  requests finish for up to `GRACEFUL_SHUTDOWN_SECONDS`, exit 0. This is
  `uvicorn --timeout-graceful-shutdown 20`, started from code so that the
  draining flag and the exit code are ours.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response

from .settings import Endpoint, Settings

# Under the task's stopTimeout (30 s), so ECS never has to SIGKILL a drain.
GRACEFUL_SHUTDOWN_SECONDS = 20
READY_CHECK_TIMEOUT_SECONDS = 1.0
PROBES = frozenset({"/health", "/ready"})

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title=settings.service_name, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.draining = False
    dependencies = settings.dependencies()

    @app.middleware("http")
    async def log_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            if request.url.path not in PROBES or status >= 500:
                log.info(
                    "http.request",
                    extra={
                        "method": request.method,
                        "path": request.url.path,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready")
    async def ready(response: Response) -> dict[str, Any]:
        if app.state.draining:
            response.status_code = 503
            return {"status": "draining"}
        results = await asyncio.gather(*(_reachable(endpoint) for endpoint in dependencies))
        checks = {f"{e.name}@{e}": result for e, result in zip(dependencies, results, strict=True)}
        if any(result != "ok" for result in results):
            response.status_code = 503
            return {"status": "unavailable", "checks": checks}
        return {"status": "ready", "checks": checks}

    return app


async def _reachable(endpoint: Endpoint) -> str:
    """Returns "ok" when a TCP connection to `endpoint` opens in time, else why not."""
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(endpoint.host, endpoint.port),
            timeout=READY_CHECK_TIMEOUT_SECONDS,
        )
    except TimeoutError:
        return "timeout"
    except OSError as error:
        return error.strerror or type(error).__name__
    writer.close()
    return "ok"


class Server(uvicorn.Server):
    """uvicorn's server, marking the app as draining as soon as a stop signal arrives."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.app = app

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.app.state.draining:
            self.app.state.draining = True
            log.info("http.draining", extra={"signal": signal.Signals(sig).name})
        super().handle_exit(sig, frame)


def serve(settings: Settings) -> int:
    """Serves until SIGTERM/SIGINT, then drains; returns the process exit code."""
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host="0.0.0.0",  # noqa: S104 - the task's own network interface, behind its security group
        port=settings.port,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        log_config=None,  # keep our JSON logging
        access_log=False,  # log_requests logs requests as JSON
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips="*",  # only the load balancer can reach the task
    )
    server = Server(config, app)
    # uvicorn re-raises the stop signal once it has drained, to end the process
    # the default way (status 143). A no-op handler turns that into a return.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    server.run()
    log.info("http.stopped")
    return 0 if server.started else 1
