"""The checks behind ``/healthz``: a node is healthy when its database answers; the cache,
the search index, mail and the live sources only degrade it (they fail one feature, not
every page)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection


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
