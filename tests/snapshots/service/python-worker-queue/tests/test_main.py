from __future__ import annotations

import json

import pytest

from py_queue.__main__ import main


def test_invalid_settings_exit_2_before_any_work(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in {**env, "ENVIRONMENT": "qa"}.items():
        monkeypatch.setenv(name, value)

    code = main(["worker"])

    assert code == 2
    (line,) = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert line["event"] == "settings.invalid"
    assert "ENVIRONMENT" in line["error"]


def test_unknown_commands_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["web"])

    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
