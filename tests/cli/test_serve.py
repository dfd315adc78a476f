"""``dailypapers serve`` keeps its behaviour: migrate, load the demo if empty, run the server."""

from __future__ import annotations

from typing import Any

import pytest


def test_serve_migrates_loads_demo_and_runs(cli, monkeypatch):
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def fake_call_command(name: str, *args: Any, **kwargs: Any) -> None:
        calls.append((name, args, kwargs))

    monkeypatch.setattr("django.core.management.call_command", fake_call_command)
    run = cli("serve", "--host", "0.0.0.0", "--port", "8123")
    assert run.code == 0
    assert [name for name, _, _ in calls] == ["migrate", "load_demo", "runserver"]
    assert calls[1][2] == {"if_empty": True}
    assert calls[2][1] == ("0.0.0.0:8123",)
    assert calls[2][2] == {"use_reloader": False}
    assert "Serving on http://0.0.0.0:8123/papers" in run.out


@pytest.mark.parametrize("args", [["serve", "--port", "http"], ["serve", "--bogus"]])
def test_serve_bad_arguments(cli, args):
    assert cli(*args).code == 2
