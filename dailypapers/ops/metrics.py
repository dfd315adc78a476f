"""The Prometheus metrics of the web processes, through ``prometheus_client``.

gunicorn serves with several worker processes and a scrape reaches only one of them, so the
metrics run in ``prometheus_client``'s multiprocess mode: every process writes its counters
to memory-mapped files in ``METRICS_DIR`` (settings.py points ``PROMETHEUS_MULTIPROC_DIR``
there before anything imports ``prometheus_client``) and a scrape adds up the files of all
processes. A worker that exited keeps its counts in the sums (counters and histograms are
cumulative); gunicorn.conf.py empties the directory when the server starts and tells the
library when a worker exits. The number of papers and of queued tasks is read from the
database at scrape time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

# Latency buckets (seconds) for the request histogram.
BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

# Not registered in the library's global registry: in multiprocess mode a scrape reads the
# files of every process (``render``), not one process's objects.
REQUESTS = Counter(
    "dailypapers_http_requests",
    "HTTP requests by method, route and status.",
    ("method", "route", "status"),
    registry=None,
)
LATENCY = Histogram(
    "dailypapers_http_request_duration_seconds",
    "Request latency by route.",
    ("route",),
    buckets=BUCKETS,
    registry=None,
)


def metrics_dir() -> Path:
    """The multiprocess directory, created when missing (the library needs it to exist)."""
    directory = Path(settings.METRICS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


# Methods counted by name; any other (a client can send anything) is counted as "other", so
# the number of series stays bounded.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@lru_cache(maxsize=4096)
def _series(method: str, route: str, status: int) -> tuple[Any, Any]:
    """The counter and histogram children of one label set. ``labels()`` validates and
    looks its arguments up under a lock on every call, as much as the counting itself."""
    return REQUESTS.labels(method, route, str(status)), LATENCY.labels(route)


def observe(method: str, route: str, status: int, seconds: float) -> None:
    """Count one request and its latency; metrics never break a request."""
    try:
        requests, latency = _series(method if method in METHODS else "other", route, status)
        requests.inc()
        latency.observe(seconds)
    except OSError as exc:  # the directory vanished or the disk is full
        logger.warning("cannot record metrics in %s: %s", settings.METRICS_DIR, exc)


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time: papers, and queued tasks by status."""

    def collect(self) -> Iterator[Metric]:
        from papers.models import Paper

        yield GaugeMetricFamily(
            "dailypapers_papers", "Papers in the database.", value=Paper.objects.count()
        )
        try:
            from django.db.models import Count
            from django_tasks_db.models import DBTaskResult

            rows = list(
                DBTaskResult.objects.values("status").annotate(n=Count("id")).order_by("status")
            )
        except Exception as exc:  # the task table is optional (TASKS_BACKEND=immediate)
            logger.debug("task gauges unavailable: %s", exc)
            return
        tasks = GaugeMetricFamily(
            "dailypapers_tasks",
            "Background tasks in the database queue by status.",
            labels=("status",),
        )
        for row in rows:
            tasks.add_metric((row["status"],), row["n"])
        yield tasks


def render(accept: str) -> tuple[bytes, str]:
    """Every process's requests and latency, and the gauges, as (body, content type) in the
    format the scraper's ``Accept`` header asks for (Prometheus text 0.0.4 by default)."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(metrics_dir()))
    registry.register(DatabaseCollector())
    encode, content_type = choose_encoder(accept)
    return encode(registry), content_type
