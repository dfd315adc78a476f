"""gunicorn settings: ``gunicorn -c dailypapers/gunicorn.conf.py dailypapers.wsgi``.

Everything is tuned by environment variables (documented in docs/deploy.md):
``WEB_CONCURRENCY`` worker processes (default 2 x cores + 1), ``GUNICORN_THREADS`` threads per
worker (>1 switches to the gthread worker), ``GUNICORN_BIND`` (default 127.0.0.1:8000),
``GUNICORN_TIMEOUT`` seconds, ``GUNICORN_MAX_REQUESTS`` (recycle workers to bound memory).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

wsgi_app = "dailypapers.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycling workers now and then bounds memory growth; the jitter avoids restarting all at once.
# Not too often: a new worker starts with an empty local-memory cache, and at ~1,000 req/s a
# 5,000 limit recycled each worker every 5 s, which showed as feed p99 spikes of 150-250 ms
# (bench/load_test.py "recycles"). With no recycling at all, a whole PostgreSQL load test left
# master + 2 workers at 259 MB (237 MB with the 5,000 limit).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
# Import Django and the apps once in the master: a recycled worker is then forked ready
# instead of spending ~0.5 s importing, which showed up as p99 spikes under load. Nothing
# opens a database connection, index or model at import time, so forking is safe.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
if os.environ.get("LOG_FORMAT") == "json":
    access_log_format = (
        '{"time": "%(t)s", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", '
        '"query": "%(q)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, "remote": "%(h)s", '
        '"agent": "%(a)s"}'
    )
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'


def on_starting(server) -> None:
    """Start /metrics from zero: drop the snapshot files of a previous run's workers.

    The path is worked out like settings.METRICS_DIR without importing Django into the
    master process (it stays small; workers import the app).
    """
    base = Path(__file__).resolve().parent.parent
    data_dir = Path(os.environ.get("DAILYPAPERS_DATA_DIR", str(base / "var")))
    shutil.rmtree(os.environ.get("METRICS_DIR") or data_dir / "metrics", ignore_errors=True)
