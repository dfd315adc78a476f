"""/metrics under gunicorn with two workers: a scrape answered by either worker counts the
requests of both, a worker that exits keeps its counts in the sums, and a new server starts
from zero (prometheus_client's multiprocess mode, dailypapers/gunicorn.conf.py)."""

from __future__ import annotations

import os
import re
import signal
import urllib.request
from pathlib import Path

import pytest

from tests.ops.test_faults import (
    _database_url,
    _env,
    _free_port,
    _get,
    _wait,
    start_gunicorn,
    stop_server,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _healthz_count(base: str) -> int:
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        text = response.read().decode()
    found = re.search(
        r'^dailypapers_http_requests_total\{method="GET",route="healthz",status="200"\} (\S+)$',
        text,
        re.MULTILINE,
    )
    return int(float(found.group(1))) if found else 0


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def test_a_scrape_adds_up_every_worker(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(
        tmp_path,
        _database_url(),
        WEB_CONCURRENCY="2",
        METRICS_ENABLED="true",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_ACCESS_LOG="",
    )
    metrics_dir = tmp_path / "data" / "metrics"
    metrics_dir.mkdir(parents=True)
    (metrics_dir / "counter_999999.db").write_bytes(b"a previous run's worker")
    server = start_gunicorn(env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _get(f"{base}/healthz") == 200, 60, "gunicorn to serve")
        _wait(lambda: len(_workers(server.pid)) == 2, 30, "two workers")
        assert not (metrics_dir / "counter_999999.db").exists()
        assert [_get(f"{base}/healthz") for _ in range(39)] == [200] * 39
        counted = {f.name for f in metrics_dir.glob("counter_*.db")}
        assert len(counted) == 2, f"both workers should have answered: {counted}"
        # A scrape is answered by one worker, whichever; every one sees all 40 requests.
        assert {_healthz_count(base) for _ in range(6)} == {40}
        gone = _workers(server.pid)[0]
        os.kill(gone, signal.SIGTERM)
        replaced = lambda: len(set(_workers(server.pid)) - {gone}) == 2  # noqa: E731
        _wait(replaced, 30, "gunicorn to replace the worker")
        assert _get(f"{base}/healthz") == 200
        assert _healthz_count(base) == 41
    finally:
        stop_server(server)
