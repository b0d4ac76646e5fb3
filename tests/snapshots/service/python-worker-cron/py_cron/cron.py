"""The scheduled job: EventBridge Scheduler starts the image with `cron`, once per tick.

One run does the job once and exits: 0 after logging `cron.completed` (the
`cron-missed` alarm counts these lines), 1 after logging `cron.failed`. A
SIGTERM (the task being stopped) ends the run as a failure, after the job's
`finally` blocks and context managers have run.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from types import FrameType

from .settings import Settings

log = logging.getLogger(__name__)


class Interrupted(Exception):  # noqa: N818 - reads better in the logs than InterruptedError
    """The run was stopped by a signal before the job finished."""


def job(settings: Settings) -> dict[str, int]:
    """The work of one run; returns counters for the `cron.completed` line.

    Replace this with the service's work. Raise to fail the run: the error is
    logged and the process exits non-zero, which the schedule-failures alarm
    and the task's exit code both show.
    """
    log.debug("cron.job.started", extra={"environment": settings.environment})
    return {"items": 0}


def run(settings: Settings, work: Callable[[Settings], dict[str, int]] = job) -> int:
    """Runs `work` once; returns the process exit code."""

    def interrupt(sig: int, frame: FrameType | None) -> None:
        raise Interrupted(signal.Signals(sig).name)

    previous = signal.signal(signal.SIGTERM, interrupt)
    started = time.perf_counter()
    try:
        counters = work(settings)
    except Exception as error:
        log.exception(
            "cron.failed",
            extra={"error": type(error).__name__, "duration_ms": _elapsed_ms(started)},
        )
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    log.info("cron.completed", extra={**counters, "duration_ms": _elapsed_ms(started)})
    return 0


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
