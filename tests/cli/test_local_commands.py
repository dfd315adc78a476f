"""``dailypapers import|index|digest`` wrap the management commands (in-process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from papers.models import DailyEntry, Paper

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "api"


def test_import_hf_files_then_list_them(cli):
    run = cli("import", "hf", str(FIXTURES / "hf-2025-06-10.json"), "--no-progress")
    assert run.code == 0, run.err
    assert "added 3" in run.out
    assert DailyEntry.objects.filter(date="2025-06-10").count() == 3
    listed = cli("papers", "ls", "--date", "2025-06-10", "--json").json()
    assert len(listed) == 3


def test_import_missing_file_fails_with_exit_1(cli, tmp_path):
    run = cli("import", "hf", str(tmp_path / "nope.json"), "--no-progress")
    assert run.code == 1
    assert "error:" in run.err
    assert "Traceback" not in run.err
    assert not Paper.objects.exists()


def test_import_bad_usage_exits_2(cli):
    assert cli("import", "pdf", "x").code == 2
    run = cli("import", "hf", "--batch-size", "lots", "x.json")
    assert run.code == 2
    assert "dailypapers import hf" in run.err  # the usage names our command, not manage.py


def test_import_help_is_the_commands_help(cli):
    run = cli("import", "jsonl", "--help")
    assert run.code == 0
    assert "usage: dailypapers import jsonl" in run.out


def test_index_status_and_rebuild(cli, db):
    assert cli("index", "rebuild").code == 0
    status = cli("index", "status")
    assert status.code == 0
    assert status.out.strip()
    assert cli("index", "update").code == 0
    assert cli("index", "explode").code == 2


def test_digest_send_dry_run(cli):
    run = cli("digest", "send", "--dry-run", "--frequency", "daily")
    assert run.code == 0, run.err
    assert cli("digest", "send", "--frequency", "hourly").code == 2
    assert cli("digest", "receive").code == 2


@pytest.mark.parametrize(
    "command",
    [
        ["import", "hf", "x.json"],
        ["index", "status"],
        ["digest", "send"],
        ["backup"],
        ["restore", "x"],
    ],
)
def test_local_only_commands_refuse_server(cli, command):
    run = cli("--server", "http://127.0.0.1:1", *command)
    assert run.code == 2
    assert "local database only" in run.err
