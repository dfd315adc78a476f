"""Crash safety: ``kill -9`` an import mid-run, then check nothing half-written remains and
that a re-run completes it.

The import runs in a real subprocess on its own SQLite file, with every record parsed slowly
(``slow_manage.py``) so the kill lands between and during batches.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SLOW_MANAGE = Path(__file__).with_name("slow_manage.py")
PAPERS, AUTHORS_EACH, BATCH = 80, 4, 5


def write_input(path: Path) -> None:
    with path.open("w") as out:
        for n in range(PAPERS):
            authors = [f"Author {n}-{k}" for k in range(AUTHORS_EACH)]
            line = {"id": f"2501.{n:05d}", "title": f"Paper {n}", "authors": authors}
            out.write(json.dumps(line) + "\n")


def manage(data_dir: Path, *args: str, delay: float = 0) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "DAILYPAPERS_DATA_DIR": str(data_dir),
        "SEARCH_INDEX_DIR": str(data_dir / "index"),
        "TASKS_BACKEND": "dummy",
    }
    command = [sys.executable, "manage.py", *args]
    if delay:
        command = [sys.executable, str(SLOW_MANAGE), str(delay), *args]
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute(sql).fetchone()[0]


def paper_count(db: Path) -> int:
    try:
        return count(db, "SELECT COUNT(*) FROM papers_paper")
    except sqlite3.OperationalError:  # table not created yet
        return 0


def wait_for_papers(process: subprocess.Popen[str], db: Path, minimum: int) -> None:
    deadline = time.monotonic() + 120
    while paper_count(db) < minimum:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import never got going"
        time.sleep(0.02)


def test_kill_9_mid_import_loses_only_the_batch_in_flight(tmp_path: Path):
    source, db = tmp_path / "papers.jsonl", tmp_path / "db.sqlite3"
    write_input(source)
    migrate = manage(tmp_path, "migrate", "-v0")
    assert migrate.wait(timeout=180) == 0, migrate.communicate()

    args = ("import_jsonl", str(source), "--batch-size", str(BATCH), "--no-progress")
    importer = manage(tmp_path, *args, delay=0.03)
    wait_for_papers(importer, db, 3 * BATCH)
    importer.send_signal(signal.SIGKILL)
    importer.wait(timeout=30)
    assert importer.returncode == -signal.SIGKILL

    survived = paper_count(db)
    assert 0 < survived < PAPERS
    assert survived % BATCH == 0  # whole batches only
    orphans = (
        "SELECT COUNT(*) FROM papers_paper p WHERE "
        f"(SELECT COUNT(*) FROM papers_paperauthor a WHERE a.paper_id = p.id) != {AUTHORS_EACH}"
    )
    assert count(db, orphans) == 0  # no paper without (all of) its authors
    assert count(db, "SELECT COUNT(*) FROM papers_paperauthor") == survived * AUTHORS_EACH

    rerun = manage(tmp_path, *args)
    out, err = rerun.communicate(timeout=180)
    assert rerun.returncode == 0, err
    assert f"added {PAPERS - survived}, updated 0, unchanged {survived}, rejected 0" in out
    assert paper_count(db) == PAPERS
    assert count(db, orphans) == 0
