"""gunicorn settings: ``gunicorn -c dailypapers/gunicorn.conf.py dailypapers.wsgi``.

gunicorn runs this file in its master process. It takes every value from the Django settings
module (``WEB_CONCURRENCY``, ``GUNICORN_*``, ``LOG_FORMAT``, ``METRICS_DIR``; documented in
docs/deploy.md), imported without setting Django up; the master imports the application
anyway (``preload_app``), so this costs nothing. A bad value stops gunicorn with one line
naming the variable.
"""

from __future__ import annotations

import shutil
import sys

from django.core.exceptions import ImproperlyConfigured

try:
    from dailypapers import settings as app
except ImproperlyConfigured as exc:
    sys.exit(f"error: ImproperlyConfigured: {exc}")

# After the settings: they point PROMETHEUS_MULTIPROC_DIR at METRICS_DIR.
from prometheus_client import multiprocess

wsgi_app = "dailypapers.wsgi:application"
bind = app.GUNICORN_BIND
workers = app.WEB_CONCURRENCY
threads = app.GUNICORN_THREADS
worker_class = "gthread" if threads > 1 else "sync"
timeout = app.GUNICORN_TIMEOUT
graceful_timeout = 30
keepalive = 5
# Recycling workers now and then bounds memory growth; the jitter avoids restarting all at once.
# Not too often: a new worker starts with an empty local-memory cache, and at ~1,000 req/s a
# 5,000 limit recycled each worker every 5 s, which showed as feed p99 spikes of 150-250 ms
# (bench/load_test.py "recycles"). With no recycling at all, a whole PostgreSQL load test left
# master + 2 workers at 259 MB (237 MB with the 5,000 limit).
max_requests = app.GUNICORN_MAX_REQUESTS
max_requests_jitter = max_requests // 10
# Import Django and the apps once in the master: a recycled worker is then forked ready
# instead of spending ~0.5 s importing, which showed up as p99 spikes under load. Nothing
# opens a database connection, index or model at import time, so forking is safe.
preload_app = True
accesslog = app.GUNICORN_ACCESS_LOG or None
errorlog = "-"
if app.LOG_FORMAT == "json":
    access_log_format = (
        '{"time": "%(t)s", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", '
        '"query": "%(q)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, "remote": "%(h)s", '
        '"agent": "%(a)s"}'
    )
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'


def on_starting(server) -> None:
    """Start /metrics from zero: drop the metric files of a previous run's workers."""
    shutil.rmtree(app.METRICS_DIR, ignore_errors=True)
    app.METRICS_DIR.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    """A worker exited: prometheus_client drops its live gauges (its counters stay summed)."""
    multiprocess.mark_process_dead(worker.pid, str(app.METRICS_DIR))
