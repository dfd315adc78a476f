"""/healthz, /metrics and JSON logs."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import OperationalError

from dailypapers.ops import REGISTRY, JsonFormatter
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _metrics_dir(settings, tmp_path: Path) -> None:
    settings.METRICS_DIR = tmp_path / "metrics"
    REGISTRY.requests.clear()
    REGISTRY.latency.clear()


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


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{") and line.split(" ")[0] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} {labels} not in metrics:\n{text}")


def test_metrics_count_requests_by_route_and_papers(client, settings) -> None:
    settings.METRICS_ENABLED = True
    make_paper()
    make_paper()
    for _ in range(3):
        client.get("/healthz")
    client.get("/no-such-page-here")
    text = client.get("/metrics").content.decode()
    assert _sample(text, "dailypapers_http_requests_total", route="healthz", status="200") == 3
    assert _sample(text, "dailypapers_http_requests_total", route="unmatched", status="404") == 1
    name = "dailypapers_http_request_duration_seconds"
    assert _sample(text, f"{name}_count", route="healthz") == 3
    assert _sample(text, f"{name}_bucket", route="healthz", le="+Inf") == 3
    assert _sample(text, "dailypapers_papers") == 2
    assert "# TYPE dailypapers_http_request_duration_seconds histogram" in text


def test_metrics_add_up_every_process_snapshot(client, settings) -> None:
    settings.METRICS_ENABLED = True
    other = {
        "requests": {"GET|healthz|200": 5},
        "latency": {"healthz": [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0.05, 5]},
    }
    settings.METRICS_DIR.mkdir(parents=True)
    (settings.METRICS_DIR / "999999.json").write_text(json.dumps(other))
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert _sample(text, "dailypapers_http_requests_total", route="healthz", status="200") == 6


def test_json_log_lines() -> None:
    record = logging.LogRecord("dailypapers.x", logging.WARNING, __file__, 1, "a %s", ("b",), None)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["message"] == "a b"
    assert entry["logger"] == "dailypapers.x"
    assert entry["time"].endswith("Z")
