"""Who sees operational details: /metrics and the checks of /healthz need METRICS_TOKEN or a
direct local request; everyone else gets only the health status."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from tests.test_settings import _load_settings

TOKEN = "s3cret-metrics-token-for-tests"
REMOTE = {"REMOTE_ADDR": "203.0.113.5"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _metrics_on(settings, tmp_path: Path) -> None:
    settings.METRICS_ENABLED = True
    settings.METRICS_DIR = tmp_path / "metrics"
    settings.METRICS_TOKEN = ""


def test_a_remote_client_gets_only_the_status():
    response = Client(**REMOTE).get("/healthz")
    assert response.status_code == 200
    assert response.json() in ({"status": "ok"}, {"status": "degraded"})


def test_a_remote_client_cannot_read_metrics():
    response = Client(**REMOTE).get("/metrics")
    assert response.status_code == 403
    assert "METRICS_TOKEN" in response.content.decode()


def test_a_local_request_through_a_proxy_is_not_local():
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert proxied.get("/metrics").status_code == 403
    assert "checks" not in proxied.get("/healthz").json()


def test_a_direct_local_request_sees_everything_without_a_token():
    local = Client(REMOTE_ADDR="127.0.0.1")
    assert local.get("/metrics").status_code == 200
    assert "database" in local.get("/healthz").json()["checks"]


def test_with_a_token_only_the_token_counts(settings):
    settings.METRICS_TOKEN = TOKEN
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403
    wrong = Client(**REMOTE, HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.get("/metrics").status_code == 403
    right = Client(**REMOTE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert right.get("/metrics").status_code == 200
    assert "dailypapers_papers" in right.get("/metrics").content.decode()
    assert "database" in right.get("/healthz").json()["checks"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("METRICS_TOKEN", "short", "METRICS_TOKEN must be at least 16 characters"),
        ("TRUSTED_PROXIES", "10.0.0.0/8,proxy", "TRUSTED_PROXIES: 'proxy' is not an IP"),
    ],
)
def test_bad_operator_settings_stop_start_up(tmp_path: Path, name, value, message):
    result = _load_settings(tmp_path, **{name: value})
    assert result.returncode != 0
    assert message in result.stderr
