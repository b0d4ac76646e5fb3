from __future__ import annotations

import json
import logging

import pytest

from py_web_ext import logs
from py_web_ext.settings import Settings


def test_one_json_object_per_line_with_event_and_service(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure(settings)
    log = logging.getLogger("py_web_ext.test")

    log.info("order.accepted", extra={"order_id": 42})
    log.debug("not shown at INFO")

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line["event"] == "order.accepted"
    assert line["order_id"] == 42
    assert line["level"] == "INFO"
    assert line["service"] == "py-web-ext"
    assert line["environment"] == "local"
    assert "timestamp" in line


def test_exceptions_are_part_of_the_json_line(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure(settings)

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("py_web_ext.test").exception("job.failed")

    (line,) = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert line["event"] == "job.failed"
    assert line["level"] == "ERROR"
    assert "RuntimeError: boom" in line["exc_info"]
