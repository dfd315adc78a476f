"""Real processes: ``kill -9`` in the middle of an arXiv catch-up and a restart that resumes
at the last committed page; and the follow loop dying with the process that started it."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.sources.upstream import FakeUpstream, RawPaper, serve

REPO = Path(__file__).resolve().parents[2]
PAPERS = 20


def manage(data_dir: Path, base: str, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "DAILYPAPERS_DATA_DIR": str(data_dir),
        "SEARCH_INDEX_DIR": str(data_dir / "index"),
        "TASKS_BACKEND": "dummy",
        "ARXIV_OAI_URL": f"{base}/oai",
        "HF_API_URL": base,
        "FOLLOW_ARXIV_CATEGORIES": "cs.CL",
        "ARXIV_REQUEST_DELAY": "0",
        "FOLLOW_REQUEST_DELAY": "0",
        "FOLLOW_HTTP_BACKOFF": "0",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def query(db: Path, sql: str) -> list[tuple]:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
            return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []


def papers(db: Path) -> int:
    rows = query(db, "SELECT COUNT(*) FROM papers_paper")
    return rows[0][0] if rows else 0


def test_kill_9_mid_catch_up_resumes_at_the_last_committed_page(tmp_path: Path):
    fake = FakeUpstream(page_delay=0.4)
    today = dt.date.today().isoformat()
    fake.oai_records = [
        RawPaper(f"2612.{n:05d}", f"Paper {n}", datestamp=today) for n in range(PAPERS)
    ]
    server, base = serve(fake)
    db = tmp_path / "db.sqlite3"
    try:
        assert manage(tmp_path, base, "migrate", "-v0").wait(timeout=240) == 0
        first = manage(tmp_path, base, "follow", "--once", "--source", "arxiv", "--no-progress")
        deadline = time.monotonic() + 60
        while papers(db) < 6:
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the catch-up never got going"
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        stored = papers(db)
        assert 6 <= stored < PAPERS and stored % 2 == 0  # whole pages only
        (cursor,) = query(db, "SELECT cursor FROM sources_sourcestate WHERE name = 'arxiv'")[0]
        token = json.loads(cursor)["sets"]["cs"]["token"]
        assert token == f"tok-{stored}"  # the cursor was committed with the page
        fake.page_delay = 0
        seen = len(fake.requests)
        second = manage(tmp_path, base, "follow", "--once", "--source", "arxiv", "--no-progress")
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        assert fake.requests[seen][1] == {"verb": "ListRecords", "resumptionToken": token}
        assert f"added {PAPERS - stored}, updated 0, unchanged 0" in out
        assert papers(db) == PAPERS
        assert query(db, "SELECT COUNT(*) FROM sources_arxivlisting")[0][0] == PAPERS
    finally:
        server.shutdown()


def test_the_follow_loop_stops_when_its_parent_dies(tmp_path: Path):
    fake = FakeUpstream()
    server, base = serve(fake)
    try:
        assert manage(tmp_path, base, "migrate", "-v0").wait(timeout=240) == 0
        env = {**os.environ, "DAILYPAPERS_DATA_DIR": str(tmp_path), "ARXIV_OAI_URL": f"{base}/oai"}
        env |= {"FOLLOW_ARXIV_CATEGORIES": "cs.CL", "ARXIV_REQUEST_DELAY": "0"}
        env.pop("DATABASE_URL", None)
        parent_code = (
            "import os, subprocess, sys, time\n"
            "child = subprocess.Popen([sys.executable, 'manage.py', 'follow', '--no-progress',"
            " '--exit-with-parent', str(os.getpid())])\n"
            "print(child.pid, flush=True)\n"
            "time.sleep(600)\n"
        )
        parent = subprocess.Popen(
            [sys.executable, "-c", parent_code],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        child_pid = int(parent.stdout.readline())
        deadline = time.monotonic() + 60
        while not fake.oai_requests():  # the loop is running: it harvested once
            assert time.monotonic() < deadline
            time.sleep(0.05)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 15
        while _alive(child_pid):
            assert time.monotonic() < deadline, "the follow loop outlived its parent"
            time.sleep(0.1)
    finally:
        server.shutdown()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())
