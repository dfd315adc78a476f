"""``dailypapers serve`` keeps its behaviour: migrate, load the demo if empty, run the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def test_serve_migrates_loads_demo_and_runs_gunicorn(cli, monkeypatch):
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    executed: list[tuple[str, list[str]]] = []

    def fake_call_command(name: str, *args: Any, **kwargs: Any) -> None:
        calls.append((name, args, kwargs))

    monkeypatch.setattr("django.core.management.call_command", fake_call_command)
    monkeypatch.setattr("os.execv", lambda path, argv: executed.append((path, argv)))
    run = cli("serve", "--host", "0.0.0.0", "--port", "8123", "--workers", "3")
    assert run.code == 0
    assert [name for name, _, _ in calls] == ["migrate", "load_demo"]
    assert calls[1][2] == {"if_empty": True}
    ((path, argv),) = executed
    assert Path(path).name == "gunicorn" and Path(path).exists()
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--threads") + 1] == "4"
    assert Path(argv[argv.index("-c") + 1]).name == "gunicorn.conf.py"
    assert "Serving on http://0.0.0.0:8123/papers" in run.out


@pytest.mark.parametrize(
    "args", [["serve", "--port", "http"], ["serve", "--bogus"], ["serve", "--workers", "0"]]
)
def test_serve_bad_arguments(cli, args):
    assert cli(*args).code == 2


def test_serve_runs_the_follow_loop_beside_the_server_when_a_source_is_on(
    cli, monkeypatch, settings
):
    settings.FOLLOW_HF = True
    started: list[list[str]] = []

    class FakeChild:
        pid = 4242

        def __init__(self, argv: list[str], **kwargs: Any) -> None:
            started.append(argv)

    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    monkeypatch.setattr("os.execv", lambda path, argv: None)
    monkeypatch.setattr("subprocess.Popen", FakeChild)
    run = cli("serve")
    assert run.code == 0
    ((argv),) = started
    assert Path(argv[0]).name == "dailypapers" and argv[1] == "follow"
    assert argv[argv.index("--exit-with-parent") + 1] == str(__import__("os").getpid())
    assert "Following hf in the background (pid 4242)" in run.out


def test_serve_does_not_follow_anything_by_default(cli, monkeypatch, settings):
    settings.FOLLOW_ARXIV_CATEGORIES, settings.FOLLOW_HF, settings.FOLLOW_GITHUB = [], False, False
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    monkeypatch.setattr("os.execv", lambda path, argv: None)
    monkeypatch.setattr("subprocess.Popen", lambda *a, **k: pytest.fail("must not start"))
    run = cli("serve")
    assert run.code == 0 and "Following" not in run.out


@pytest.mark.parametrize(
    ("site_url", "host", "port", "warned"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1", 8000, None),
        ("http://localhost:8000", "127.0.0.1", 8000, None),
        ("http://127.0.0.1:8000", "127.0.0.1", 9000, "listens on port 9000"),
        ("http://localhost", "127.0.0.1", 8000, "listens on port 8000"),
        ("http://127.0.0.1:8000", "0.0.0.0", 8000, "cannot follow links"),
        ("https://papers.example.org", "127.0.0.1", 8000, None),  # behind a proxy
        ("http://papers.example.org:8080", "papers.example.org", 8000, "port 8000"),
        ("http://papers.example.org:http", "127.0.0.1", 8000, "no valid port"),
    ],
)
def test_site_url_mismatch(site_url, host, port, warned):
    from dailypapers.cli import site_url_mismatch

    message = site_url_mismatch(site_url, host, port)
    if warned is None:
        assert message is None
    else:
        assert warned in message


def test_serve_warns_when_site_url_does_not_match(cli, monkeypatch, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    monkeypatch.setattr("os.execv", lambda path, argv: None)
    run = cli("serve", "--port", "9000")
    assert run.code == 0
    assert "warning: SITE_URL is http://127.0.0.1:8000 but this server listens on port 9000" in (
        run.err
    )
    quiet = cli("serve", "--port", "8000")
    assert "warning" not in quiet.err
