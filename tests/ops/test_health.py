"""/healthz, /metrics and JSON logs."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.db import connection
from django.db.utils import OperationalError

from dailypapers.ops.logs import JsonFormatter
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_check(client, settings) -> None:
    settings.EMAIL_HOST = "smtp.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    checks = body["checks"]
    assert checks["database"]["ok"] is True
    assert checks["database"]["vendor"] == connection.vendor
    assert checks["cache"]["ok"] is True
    assert checks["mail"] == {"ok": True, "backend": "smtp", "host": "smtp.example.org"}
    assert set(checks["search_index"]) >= {"ok"}
    assert body["status"] in {"ok", "degraded"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_degraded_without_mail_host_on_smtp(client, settings) -> None:
    settings.EMAIL_HOST = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    body = client.get("/healthz").json()
    assert body["checks"]["mail"]["ok"] is False
    assert body["status"] == "degraded"


def test_healthz_is_503_when_the_database_fails(client, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "ok": False,
        "vendor": connection.vendor,
        "error": "connection refused",
    }


def test_metrics_are_off_by_default(client, settings) -> None:
    settings.METRICS_ENABLED = False
    assert client.get("/metrics").status_code == 404


def _sample(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample ``name{labels}`` in a Prometheus text exposition, or None."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and line.split(" ")[0] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def _counted(before: str, after: str, name: str, **labels: str) -> float:
    """How much a sample grew between two scrapes (counters persist across tests)."""
    now = _sample(after, name, **labels)
    assert now is not None, f"{name} {labels} not in metrics:\n{after}"
    return now - (_sample(before, name, **labels) or 0)


def test_metrics_count_requests_by_route_and_papers(client, settings) -> None:
    settings.METRICS_ENABLED = True
    make_paper()
    make_paper()
    before = client.get("/metrics").content.decode()
    for _ in range(3):
        client.get("/favicon.ico")
    client.get("/no-such-page-here")
    client.generic("BREW", "/favicon.ico")  # any method name: counted as "other"
    response = client.get("/metrics")
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    requests = "dailypapers_http_requests_total"
    assert _counted(before, text, requests, route="favicon.ico", method="GET", status="302") == 3
    assert _counted(before, text, requests, route="unmatched", status="404") == 1
    assert _counted(before, text, requests, route="favicon.ico", method="other") == 1
    assert 'method="BREW"' not in text
    name = "dailypapers_http_request_duration_seconds"
    assert _counted(before, text, f"{name}_count", route="favicon.ico") == 4
    assert _counted(before, text, f"{name}_bucket", route="favicon.ico", le="+Inf") == 4
    assert _counted(before, text, f"{name}_bucket", route="favicon.ico", le="5.0") == 4
    assert _sample(text, "dailypapers_papers") == 2
    assert "# TYPE dailypapers_http_request_duration_seconds histogram" in text
    assert "# TYPE dailypapers_http_requests_total counter" in text


def test_requests_are_not_counted_with_metrics_off(client, settings) -> None:
    settings.METRICS_ENABLED = True
    before = client.get("/metrics").content.decode()
    settings.METRICS_ENABLED = False
    client.get("/favicon.ico")
    settings.METRICS_ENABLED = True
    after = client.get("/metrics").content.decode()
    route = {"route": "favicon.ico", "status": "302"}
    grown = (_sample(after, "dailypapers_http_requests_total", **route) or 0) - (
        _sample(before, "dailypapers_http_requests_total", **route) or 0
    )
    assert grown == 0


def test_json_log_lines() -> None:
    record = logging.LogRecord("dailypapers.x", logging.WARNING, __file__, 1, "a %s", ("b",), None)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["message"] == "a b"
    assert entry["logger"] == "dailypapers.x"
    assert entry["time"].endswith("Z")
