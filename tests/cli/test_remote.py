"""``--server URL``: the papers commands through a live dailypapers server's HTTP API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_ls_info_read_against_a_live_server(cli, feed, live_server):
    run = cli("papers", "ls", "--server", live_server.url, "--date", "2025-02-10")
    assert run.code == 0, run.err
    assert [line.split()[0] for line in run.out.splitlines()[1:]] == ["2502.04507", "2502.00002"]
    info = cli("--server", live_server.url, "papers", "info", "2502.04507", "--json")
    assert info.json()["title"] == "Fast Video Generation with Sliding Tile Attention"
    read = cli("papers", "read", "2502.04507", "--server", live_server.url + "/")
    assert read.out.startswith("# Fast Video Generation")


def test_local_and_remote_json_are_identical(cli, feed, live_server):
    local = cli("papers", "ls", "--week", "2025-W07", "--json")
    remote = cli("papers", "ls", "--week", "2025-W07", "--json", "--server", live_server.url)
    assert local.json() == remote.json()


def test_server_errors_are_reported_with_the_servers_message(cli, feed, live_server):
    missing = cli("papers", "info", "2502.99999", "--server", live_server.url)
    assert missing.code == 1
    # (the live server's own request log may share stderr; ours is the last line)
    assert missing.err.endswith("error: No paper with arXiv id 2502.99999 here.\n")
    invalid = cli("papers", "ls", "--date", "2025-02-30", "--server", live_server.url)
    assert invalid.code == 2
    assert "not a real calendar date" in invalid.err


def test_server_from_the_environment(cli, feed, live_server, monkeypatch):
    monkeypatch.setenv("DAILYPAPERS_SERVER", live_server.url)
    run = cli("papers", "info", "2502.04507", "--json")
    assert run.json()["id"] == "2502.04507"


def test_unreachable_server(cli):
    run = cli("papers", "ls", "--server", "http://127.0.0.1:9", "--timeout", "2")
    assert run.code == 1
    assert run.err == "error: Cannot reach http://127.0.0.1:9: is the server running?\n"


def test_server_must_be_a_url(cli):
    run = cli("papers", "ls", "--server", "localhost:8000")
    assert run.code == 2
    assert "must be an http(s) URL" in run.err
