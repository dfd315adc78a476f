"""Data files are private to the service's user: directory 0700, database and backups 0600."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dailypapers.env import private_data_dir

REPO = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite")
def test_a_fresh_data_dir_database_and_backup_are_private(tmp_path):
    data = tmp_path / "data"
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    environ.update(DAILYPAPERS_DATA_DIR=str(data))
    environ.pop("SEARCH_MODEL_DIR", None)
    old_umask = os.umask(0o022)  # what a shell usually has; the processes must not rely on it
    try:
        for command in (["migrate", "-v0"], ["backup", str(tmp_path / "out" / "b.sqlite3")]):
            result = subprocess.run(
                [sys.executable, "manage.py", *command],
                env=environ,
                cwd=REPO,
                capture_output=True,
                text=True,
            )
            assert result.returncode == 0, result.stderr
    finally:
        os.umask(old_umask)
    assert _mode(data) == 0o700
    assert _mode(data / "db.sqlite3") == 0o600
    assert _mode(data / "secret_key") == 0o600
    assert _mode(tmp_path / "out" / "b.sqlite3") == 0o600
    assert _mode(tmp_path / "out") == 0o700


def test_an_existing_data_dir_of_ours_is_made_private(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    private_data_dir(data)
    assert _mode(data) == 0o700


def test_a_shared_sticky_directory_is_left_alone(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    private_data_dir(shared)
    assert _mode(shared) == 0o1777
