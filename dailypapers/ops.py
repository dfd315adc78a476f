"""Operations endpoints and plumbing: ``/healthz``, ``/metrics``, JSON logs.

``/healthz`` answers 200 when this node can serve (the database answers) and 503 when it
cannot; the body says what was checked to operators (``METRICS_TOKEN`` or a direct local
request) and only the status to everyone else. ``/metrics`` (on when ``METRICS_ENABLED``) speaks the
Prometheus text format. Each process counts its own requests in memory and publishes a
snapshot file to ``METRICS_DIR`` at most once a second; ``/metrics`` adds up every process's
file, so the figures cover all gunicorn workers whichever one answers the scrape.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from community.ratelimit import client_ip

logger = logging.getLogger(__name__)

# Latency buckets (seconds) for the request histogram.
BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_PUBLISH_EVERY = 1.0  # seconds between snapshot files of one process


# --------------------------------------------------------------------------- health


def _check_database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "cannot serve"
        return {"ok": False, "vendor": connection.vendor, "error": str(exc).strip()[:300]}
    return {
        "ok": True,
        "vendor": connection.vendor,
        "ms": round((time.perf_counter() - started) * 1000, 2),
    }


def _check_search_index() -> dict[str, Any]:
    """Index presence and version, through ``search.service`` when it offers ``index_status``."""
    try:
        from search import service

        status = getattr(service, "index_status", None)
        if callable(status):
            info = dict(status())
            return {"ok": bool(info.get("present", True)), **info}
    except Exception as exc:  # a broken index degrades search only, not the whole node
        return {"ok": False, "error": str(exc).strip()[:300]}
    index_dir = Path(settings.SEARCH_INDEX_DIR)
    present = index_dir.is_dir() and any(index_dir.iterdir())
    return {"ok": present, "path": str(index_dir), "present": present}


def _check_cache() -> dict[str, Any]:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    try:
        cache.set("healthz:probe", "1", 10)
        ok = cache.get("healthz:probe") == "1"
    except Exception as exc:  # the cache helpers fall back to no caching, so only degrade
        return {"ok": False, "backend": backend, "error": str(exc).strip()[:300]}
    return {"ok": ok, "backend": backend}


def _check_mail() -> dict[str, Any]:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if settings.EMAIL_HOST:
        return {"ok": True, "backend": backend, "host": settings.EMAIL_HOST}
    # Digests are printed to the console instead of sent: fine on a laptop, not in production.
    return {"ok": backend != "smtp", "backend": backend, "configured": False}


def _check_sources() -> dict[str, Any]:
    """Live sources: stale when an enabled one has not succeeded for FOLLOW_STALE_HOURS."""
    try:
        from sources.queries import source_health

        return source_health()
    except Exception as exc:  # the sources' tables missing must not fail the whole check
        return {"ok": False, "error": str(exc).strip()[:300]}


def health() -> tuple[bool, dict[str, Any]]:
    """Run every check; the node is healthy when the database answers (others only degrade)."""
    checks = {
        "database": _check_database(),
        "cache": _check_cache(),
        "search_index": _check_search_index(),
        "mail": _check_mail(),
        "sources": _check_sources(),
    }
    healthy = checks["database"]["ok"]
    if not healthy:
        status = "unavailable"
    elif all(check["ok"] for check in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return healthy, {"status": status, "checks": checks}


_PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def is_operator(request: HttpRequest) -> bool:
    """May this request see operational details (``/metrics``, the checks of ``/healthz``)?

    With ``METRICS_TOKEN`` set it must carry ``Authorization: Bearer <token>``. Without it
    only a direct request from this machine qualifies: a loopback client address and no
    proxy header, because a reverse proxy on the same host also connects from loopback.
    """
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        )
    if any(header in request.headers for header in _PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """``GET /healthz``: 200 when this node can serve requests, 503 when it cannot.

    Everyone gets the status; the checks (database vendor, cache backend, index sizes, mail
    host) only operators (``is_operator``).
    """
    healthy, body = health()
    if not is_operator(request):
        body = {"status": body["status"]}
    return JsonResponse(body, status=200 if healthy else 503)


# --------------------------------------------------------------------------- metrics


class _Registry:
    """Request counters and latency histograms of this process (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: dict[str, int] = {}  # "method|route|status" -> count
        self.latency: dict[str, list[float]] = {}  # route -> [bucket counts..., sum, count]
        self.published_at = 0.0

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = f"{method}|{route}|{status}"
        with self.lock:
            self.requests[key] = self.requests.get(key, 0) + 1
            row = self.latency.setdefault(route, [0.0] * (len(BUCKETS) + 2))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    row[i] += 1
            row[-2] += seconds
            row[-1] += 1

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": dict(self.requests),
                "latency": {k: list(v) for k, v in self.latency.items()},
            }


REGISTRY = _Registry()


def _metrics_dir() -> Path:
    return Path(getattr(settings, "METRICS_DIR", Path(settings.DATA_DIR) / "metrics"))


def publish_snapshot(force: bool = False) -> None:
    """Write this process's counters to ``METRICS_DIR/<pid>.json`` (atomically, rate-limited)."""
    now = time.monotonic()
    if not force and now - REGISTRY.published_at < _PUBLISH_EVERY:
        return
    REGISTRY.published_at = now
    directory = _metrics_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{os.getpid()}.tmp"
        tmp.write_text(json.dumps(REGISTRY.snapshot()))
        tmp.replace(directory / f"{os.getpid()}.json")
    except OSError as exc:  # metrics must never break a request
        logger.warning("cannot publish metrics snapshot to %s: %s", directory, exc)


def _aggregate() -> dict[str, Any]:
    """Sum the snapshot files of every process (dead workers' totals included: counters)."""
    total: dict[str, Any] = {"requests": {}, "latency": {}}
    for snap_file in sorted(_metrics_dir().glob("*.json")):
        try:
            snap = json.loads(snap_file.read_text())
        except (OSError, ValueError):
            continue  # a file being replaced right now; the next scrape will see it
        for key, count in snap.get("requests", {}).items():
            total["requests"][key] = total["requests"].get(key, 0) + count
        for route, row in snap.get("latency", {}).items():
            acc = total["latency"].setdefault(route, [0.0] * len(row))
            for i, value in enumerate(row):
                acc[i] += value
    return total


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render_metrics() -> str:
    """The Prometheus text exposition of requests, latency, papers and queued tasks."""
    publish_snapshot(force=True)
    data = _aggregate()
    lines = [
        "# HELP dailypapers_http_requests_total HTTP requests by method, route and status.",
        "# TYPE dailypapers_http_requests_total counter",
    ]
    for key in sorted(data["requests"]):
        method, route, status = key.split("|", 2)
        lines.append(
            f'dailypapers_http_requests_total{{method="{_label(method)}",'
            f'route="{_label(route)}",status="{status}"}} {_num(data["requests"][key])}'
        )
    lines += [
        "# HELP dailypapers_http_request_duration_seconds Request latency by route.",
        "# TYPE dailypapers_http_request_duration_seconds histogram",
    ]
    for route in sorted(data["latency"]):
        row = data["latency"][route]
        name = "dailypapers_http_request_duration_seconds"
        for bound, count in zip(BUCKETS, row, strict=False):
            lines.append(f'{name}_bucket{{route="{_label(route)}",le="{bound}"}} {_num(count)}')
        lines.append(f'{name}_bucket{{route="{_label(route)}",le="+Inf"}} {_num(row[-1])}')
        lines.append(f'{name}_sum{{route="{_label(route)}"}} {row[-2]:.6f}')
        lines.append(f'{name}_count{{route="{_label(route)}"}} {_num(row[-1])}')
    lines += _database_gauges()
    return "\n".join(lines) + "\n"


def _database_gauges() -> list[str]:
    from papers.models import Paper

    lines = [
        "# HELP dailypapers_papers Papers in the database.",
        "# TYPE dailypapers_papers gauge",
        f"dailypapers_papers {Paper.objects.count()}",
    ]
    try:
        from django.db.models import Count
        from django_tasks_db.models import DBTaskResult

        rows = DBTaskResult.objects.values("status").annotate(n=Count("id")).order_by("status")
        lines += [
            "# HELP dailypapers_tasks Background tasks in the database queue by status.",
            "# TYPE dailypapers_tasks gauge",
        ]
        lines += [f'dailypapers_tasks{{status="{row["status"]}"}} {row["n"]}' for row in rows]
    except Exception as exc:  # the task table is optional (TASKS_BACKEND=immediate)
        logger.debug("task gauges unavailable: %s", exc)
    return lines


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """``GET /metrics``: Prometheus text format; 404 unless ``METRICS_ENABLED``."""
    if not getattr(settings, "METRICS_ENABLED", False):
        return HttpResponse("metrics are disabled (METRICS_ENABLED=false)\n", status=404)
    if not is_operator(request):
        return HttpResponse(
            "metrics need 'Authorization: Bearer <METRICS_TOKEN>' (or, without a token, a "
            "direct request from this machine)\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(render_metrics(), content_type="text/plain; version=0.0.4; charset=utf-8")


class MetricsMiddleware:
    """Times every request and counts it by method, URL route (not raw path) and status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not getattr(settings, "METRICS_ENABLED", False):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # The route pattern keeps label cardinality bounded (not one series per paper id).
        route = (match.route or match.view_name) if match else "unmatched"
        REGISTRY.observe(
            request.method or "", route, response.status_code, time.perf_counter() - started
        )
        publish_snapshot()
        return response


# --------------------------------------------------------------------------- logs


class JsonFormatter(logging.Formatter):
    """One JSON object per line (``LOG_FORMAT=json``), for log shippers."""

    converter = time.gmtime  # timestamps are UTC, hence the "Z"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["path"] = request.path
            entry["method"] = request.method
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


# Included from dailypapers/urls.py with ``path("", include("dailypapers.ops"))``.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
]
