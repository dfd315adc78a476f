"""Fault tests with real processes: a worker SIGKILLed mid-import, PostgreSQL restarted under load.

The worker and web server run as subprocesses against the test database (committed data,
hence ``transaction=True``), exactly as they would in production.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from papers.models import Author, DailyEntry, Paper, PaperAuthor

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(s["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            pytest.skip("the test database is in memory: other processes cannot open it")
        return f"sqlite:///{Path(name).resolve()}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _env(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        TASKS_BACKEND="database",
        DAILYPAPERS_DATA_DIR=str(tmp_path / "data"),
        SEARCH_INDEX_DIR=str(tmp_path / "index"),
        SECRET_KEY="fault-tests-" + "x" * 40,
        DJANGO_SETTINGS_MODULE="dailypapers.settings",
        **extra,
    )
    return env


def _write_papers(path: Path, n: int) -> None:
    with gzip.open(path, "wt") as out:
        for i in range(n):
            record = {
                "id": f"2509.{i:05d}",
                "title": f"Fault tolerant paper {i}",
                "authors": [f"Author {i % 97}", f"Second Author {i % 13}"],
                "categories": ["cs.CL"],
                "primary_category": "cs.CL",
                "abstract": f"Abstract number {i} about robust systems.",
                "comment": "",
                "listing_date": f"2025-09-{1 + i % 28:02d}",
            }
            out.write(json.dumps(record) + "\n")


def _worker(env: dict[str, str], *args: str) -> subprocess.Popen:
    argv = [PYTHON, "manage.py", "worker", "--no-startup-delay", "--interval", "0.1", *args]
    return subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_import_then_restarted_finishes_exactly(tmp_path: Path, settings):
    from django_tasks_db.models import DBTaskResult

    from dailypapers.tasks import run_command

    n = 300
    source = tmp_path / "papers.jsonl.gz"
    _write_papers(source, n)
    env = _env(tmp_path, _database_url())
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    # Small batches: many commits, so the kill lands between and inside batches.
    args = [str(source), "--daily", "--batch-size", "5", "--no-progress"]
    job = run_command.using(queue_name="imports").enqueue("import_jsonl", args)

    first = _worker(env, "--queue-name", "imports")
    try:
        _wait(lambda: Paper.objects.count() >= 60, 120, "the import to be under way")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    row = DBTaskResult.objects.get(id=job.id)
    assert row.status == "RUNNING", "the import must have been killed before it finished"
    assert Paper.objects.count() < n

    second = _worker(env, "--queue-name", "imports", "--batch")
    output, _ = second.communicate(timeout=300)
    assert second.returncode == 0, output
    assert "re-queued task" in output

    row.refresh_from_db()
    assert row.status == "SUCCESSFUL", row.traceback
    assert len(row.worker_ids) == 2  # claimed by the killed worker, then by the new one
    assert Paper.objects.count() == n
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == [
        f"2509.{i:05d}" for i in range(n)
    ]
    assert PaperAuthor.objects.count() == 2 * n
    assert DailyEntry.objects.count() == n
    assert Author.objects.count() == 97 + 13


# --------------------------------------------------------------------------- PostgreSQL restart


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_local(*args: str) -> str:
    result = subprocess.run(
        ["bash", str(REPO / ".ci" / "pg-local"), *args], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"pg-local {args[0]} failed: {result.stderr}")
    return result.stdout.strip()


@pytest.fixture
def private_postgres(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A PostgreSQL server of this test's own, so restarting it disturbs no other test."""
    if connection.vendor != "postgresql":
        pytest.skip("restarting the database is a PostgreSQL test (SQLite has no server)")
    directory = Path(f"/tmp/dp-fault-pg-{os.getpid()}")
    try:
        url = _pg_local("start", str(directory), str(_free_port()))
    except RuntimeError as exc:
        pytest.skip(f"cannot start a private PostgreSQL server: {exc}")
    try:
        yield url, directory
    finally:
        _pg_local("stop", str(directory))
        subprocess.run(["rm", "-rf", str(directory)], check=False)


def start_gunicorn(env: dict[str, str]) -> subprocess.Popen:
    """``gunicorn -c dailypapers/gunicorn.conf.py`` as a deployment runs it."""
    return subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "dailypapers/gunicorn.conf.py"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return 0


def test_service_recovers_after_postgres_restart_under_load(private_postgres, tmp_path: Path):
    url, directory = private_postgres
    env = _env(tmp_path, url, WEB_CONCURRENCY="2", DB_CONN_MAX_AGE="600")
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True, timeout=300
    )
    port = _free_port()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    env["GUNICORN_ACCESS_LOG"] = ""
    server = start_gunicorn(env)
    base = f"http://127.0.0.1:{port}"
    statuses: list[int] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            statuses.append(_get(f"{base}/healthz"))

    try:
        _wait(lambda: _get(f"{base}/healthz") == 200, 60, "gunicorn to serve")
        threads = [threading.Thread(target=load) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        before = len(statuses)
        _pg_local("restart", str(directory))
        time.sleep(1.0)
        stop.set()
        for thread in threads:
            thread.join(10)
        assert before > 0 and len(statuses) > before
        # No manual action: the very next requests all succeed (persistent connections were
        # dropped by the restart; CONN_HEALTH_CHECKS replaces them on the next request).
        after = [_get(f"{base}/healthz") for _ in range(20)]
        assert after == [200] * 20
        assert server.poll() is None, "gunicorn must still be running"
    finally:
        stop.set()
        stop_server(server)


# --------------------------------------------------------------------------- digests


class _SlowSmtp:
    """An SMTP sink that takes ``delay`` seconds per message, so a run can be killed mid-way."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.recipients: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(self.delay)
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.recipients)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_digest_then_restarted_sends_everyone_once(tmp_path: Path, settings):
    import datetime as dt

    from aiosmtpd.controller import Controller
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from dailypapers.tasks import run_command
    from digests.models import DigestDelivery, Subscription
    from tests.factories import make_daily_paper

    today = timezone.now().date()
    for i in range(3):
        make_daily_paper(
            str(today - dt.timedelta(days=1)),
            title=f"Trending {i}",
            imported_upvotes=50 - i,
            upvotes=50 - i,
        )
    emails = [f"reader{i}@example.org" for i in range(12)]
    for address in emails:
        Subscription.objects.create(email=address, confirmed=True)

    sink = _SlowSmtp(delay=0.25)
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = _env(
        tmp_path,
        _database_url(),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        DIGEST_SEND_WORKERS="1",
        DIGEST_CLAIM_TIMEOUT_SECONDS="1",
        DIGEST_RETRY_BASE_SECONDS="0.01",
        TRENDING_CACHE_SECONDS="0",
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    job = run_command.using(queue_name="digests").enqueue("send_digests", ["--frequency", "daily"])
    try:
        first = _worker(env, "--queue-name", "digests")
        try:
            _wait(lambda: sink.count() >= 4, 120, "digests to be under way")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        assert DBTaskResult.objects.get(id=job.id).status == "RUNNING"
        assert sink.count() < len(emails)
        time.sleep(1.5)  # past DIGEST_CLAIM_TIMEOUT_SECONDS: the dead run's claim is free

        second = _worker(env, "--queue-name", "digests", "--batch")
        output, _ = second.communicate(timeout=300)
        assert second.returncode == 0, output
    finally:
        controller.stop()

    row = DBTaskResult.objects.get(id=job.id)
    assert row.status == "SUCCESSFUL", row.traceback
    counts = {address: sink.recipients.count(address) for address in emails}
    # Everyone got their digest; at most the one message in flight when the worker was
    # killed went out twice (the documented at-least-once window of digests.delivery).
    assert min(counts.values()) == 1, counts
    assert sum(counts.values()) - len(emails) <= 1, counts
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"sent"}
