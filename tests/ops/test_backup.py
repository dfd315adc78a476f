"""backup/restore round trip on the engine the suite runs on (SQLite or PostgreSQL)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from papers.models import Paper
from search import store, sync, tombstones
from search.service import SearchQuery, search
from tests.factories import make_daily_paper, make_user

# Models whose rows must survive the round trip exactly.
_APPS = ("papers", "community", "auth")


def _snapshot() -> dict[str, list[dict]]:
    rows = {}
    for app in _APPS:
        for model in apps.get_app_config(app).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def _make_data() -> None:
    from community.models import Comment, Vote

    user = make_user("ada")
    for i in range(5):
        entry = make_daily_paper("2025-01-06", title=f"Backed up paper {i}", abstract="Ünïcode ✓")
        Vote.objects.create(user=user, paper=entry.paper, created_at=timezone.now())
    Comment.objects.create(
        paper=Paper.objects.first(),
        author=user,
        body="**bold**",
        body_html="<p><strong>bold</strong></p>",
        created_at=timezone.now(),
    )


def _skip_without_pg_tools() -> None:
    if connection.vendor == "postgresql":
        from dailypapers.backup import BackupError, pg_tool

        try:
            pg_tool("pg_dump")
        except BackupError as exc:
            pytest.skip(str(exc))


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_round_trip(tmp_path: Path) -> None:
    _skip_without_pg_tools()
    _make_data()
    before = _snapshot()
    assert len(before["papers.Paper"]) == 5
    assert len(before["community.Vote"]) == 5

    target = tmp_path / "site.backup"
    call_command("backup", str(target))
    assert target.stat().st_size > 0

    Paper.objects.all().delete()
    get_user_model().objects.all().delete()
    assert _snapshot()["papers.Paper"] == []

    call_command("restore", str(target), yes=True)
    after = _snapshot()
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
    assert after == before
    # The search index (which had dropped the deleted papers) was rebuilt from the restore.
    hits = search(SearchQuery(q="backed up paper", mode="keyword", limit=50)).hits
    assert len(hits) == 5


@pytest.mark.django_db(transaction=True)
def test_backup_to_a_new_directory_named_with_a_slash(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the file-name rule is the same on both engines; SQLite is enough")
    make_user()
    call_command("backup", f"{tmp_path}/backups/")
    (written,) = (tmp_path / "backups").glob("dailypapers-*.sqlite3")
    assert written.read_bytes().startswith(b"SQLite format 3\x00")


@pytest.mark.django_db
def test_backup_to_an_unwritable_path_says_why(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    reason = r"cannot write a backup to .*a-file/site.*is a file, not a directory"
    with pytest.raises(CommandError, match=reason):
        call_command("backup", str(blocker / "site.backup"))
    assert blocker.read_text() == "not a directory"


@pytest.mark.django_db(transaction=True)
def test_backup_to_a_directory_picks_a_dated_name(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the file-name rule is the same on both engines; SQLite is enough")
    make_user()
    call_command("backup", str(tmp_path))
    (written,) = tmp_path.glob("dailypapers-*.sqlite3")
    assert written.read_bytes().startswith(b"SQLite format 3\x00")


@pytest.mark.django_db
def test_restore_rejects_bad_input_and_changes_nothing(tmp_path: Path) -> None:
    make_user("kept")
    with pytest.raises(CommandError, match="no such backup file"):
        call_command("restore", str(tmp_path / "missing.dump"), yes=True)
    junk = tmp_path / "junk.txt"
    junk.write_text("hello, not a database")
    with pytest.raises(CommandError, match="this site runs on"):
        call_command("restore", str(junk), yes=True)
    assert get_user_model().objects.filter(username="kept").exists()


@pytest.mark.django_db
def test_restore_without_yes_refuses_when_not_interactive(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "x"))


def _drop_epoch_table(backup: Path) -> None:
    """Make ``backup`` look like one taken before the search epoch migration."""
    with sqlite3.connect(backup) as db:
        db.execute("DROP TABLE search_searchepoch")
        db.execute("DELETE FROM django_migrations WHERE app = 'search' AND name LIKE '0004%'")
    db.close()


@pytest.mark.django_db(transaction=True)
def test_restoring_an_older_backup_migrates_it(tmp_path: Path, capsys) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the backup is edited with sqlite3; migrate runs the same on both engines")
    make_daily_paper("2025-01-06", title="Paper from an older release")
    target = tmp_path / "old.sqlite3"
    call_command("backup", str(target))
    _drop_epoch_table(target)
    call_command("restore", str(target), yes=True, no_reindex=True)
    assert tombstones.current_epoch() != ""  # the table is back and a new epoch began
    assert "rebuilt by the next" in capsys.readouterr().out
    assert store.current_version() is None  # --no-reindex: left to the next update
    sync.catch_up()
    assert [h.paper.title for h in search(SearchQuery(q="older release")).hits] == [
        "Paper from an older release"
    ]


@pytest.mark.django_db(transaction=True)
def test_restoring_a_truncated_backup_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    _skip_without_pg_tools()
    _make_data()
    before = _snapshot()
    target = tmp_path / "site.backup"
    call_command("backup", str(target))
    data = target.read_bytes()
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(CommandError, match=r"truncated|damaged|pg_restore failed"):
        call_command("restore", str(truncated), yes=True, no_reindex=True)
    assert _snapshot() == before
