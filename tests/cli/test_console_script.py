"""The installed ``dailypapers`` console script, run as a real subprocess on a fresh data
directory: import, list, info, backup and restore, with exit codes and readable errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "api" / "hf-2026-08-20.json"
SCRIPT = Path(sys.executable).with_name("dailypapers")


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """A migrated, empty database in its own data directory."""
    assert SCRIPT.exists(), f"the console script is not installed at {SCRIPT} (pip install -e .)"
    data = tmp_path_factory.mktemp("data")
    environ = {
        **os.environ,
        "DAILYPAPERS_DATA_DIR": str(data),
        "SEARCH_INDEX_DIR": str(data / "index"),
        "DATABASE_URL": "",
        "DAILYPAPERS_SERVER": "",
        "TASKS_BACKEND": "dummy",  # indexing is not what these tests are about
    }
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    migrate = [sys.executable, "-m", "django", "migrate", "-v0", "--settings=dailypapers.settings"]
    subprocess.run(migrate, env=environ, cwd=REPO, check=True, timeout=300)
    return environ


def dailypapers(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_import_then_list_and_show(env):
    imported = dailypapers(env, "import", "hf", str(FIXTURE), "--no-progress")
    assert imported.returncode == 0, imported.stderr
    listed = dailypapers(env, "papers", "ls", "--date", "2026-08-20", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 4
    first = json.loads(listed.stdout)[0]["paper"]["id"]
    info = dailypapers(env, "papers", "info", first)
    assert info.returncode == 0
    assert f"ID:           {first}" in info.stdout


def test_errors_are_one_line_with_exit_codes(env):
    missing = dailypapers(env, "papers", "info", "2502.99999")
    assert missing.returncode == 1
    assert missing.stderr == "error: No paper with arXiv id 2502.99999 here.\n"
    bad = dailypapers(env, "papers", "ls", "--month", "2025-13")
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    unreachable = dailypapers(env, "papers", "ls", "--server", "http://127.0.0.1:9")
    assert unreachable.returncode == 1
    assert "Cannot reach" in unreachable.stderr


def test_backup_and_restore(env, tmp_path):
    target = tmp_path / "copy.sqlite3"
    backup = dailypapers(env, "backup", str(target))
    assert backup.returncode == 0, backup.stderr
    assert target.stat().st_size > 0
    restored = dailypapers(env, "restore", str(target), "--yes")
    assert restored.returncode == 0, restored.stderr
    absent = dailypapers(env, "restore", str(tmp_path / "absent.sqlite3"), "--yes")
    assert absent.returncode == 1
    assert absent.stderr.startswith("error: ")
    assert "Traceback" not in absent.stderr
    assert dailypapers(env, "restore").returncode == 2  # PATH is required
