from __future__ import annotations

import json
import signal

import pytest

from py_cron import cron
from py_cron.__main__ import main
from py_cron.settings import Settings


def test_a_successful_run_logs_cron_completed_and_exits_0(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    code = main(["cron"])

    assert code == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (completed,) = [e for e in events if e["event"] == "cron.completed"]
    assert completed["service"] == "py-cron"
    assert completed["items"] == 0
    assert completed["duration_ms"] >= 0


def test_a_failing_job_exits_non_zero_without_cron_completed(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    def failing(_: Settings) -> dict[str, int]:
        raise ConnectionError("upstream down")

    code = cron.run(settings, failing)

    assert code == 1
    events = [record.getMessage() for record in caplog.records]
    assert "cron.failed" in events
    assert "cron.completed" not in events


def test_sigterm_during_the_job_fails_the_run(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    cleaned_up = []

    def stopped(_: Settings) -> dict[str, int]:
        try:
            signal.raise_signal(signal.SIGTERM)  # the task is stopped mid-run
            return {"items": 1}
        finally:
            cleaned_up.append(True)

    previous = signal.getsignal(signal.SIGTERM)
    code = cron.run(settings, stopped)

    assert code == 1
    assert cleaned_up == [True]
    assert "cron.completed" not in [record.getMessage() for record in caplog.records]
    assert signal.getsignal(signal.SIGTERM) is previous
