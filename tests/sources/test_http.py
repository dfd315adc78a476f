"""The sources' HTTP client: politeness delay, User-Agent, Retry-After, no retry of 4xx."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from sources.http import PoliteClient, UpstreamError, retry_after
from tests.sources.upstream import FakeUpstream, serve


@pytest.fixture
def fake():
    upstream = FakeUpstream(hf_days={"2026-08-21": []})
    server, base = serve(upstream)
    upstream.base = base
    yield upstream
    server.shutdown()


def test_requests_are_spaced_by_the_delay_and_say_who_we_are(fake):
    client = PoliteClient("test", delay=0.3, timeout=5, retries=0)
    started = time.monotonic()
    for _ in range(3):
        client.get(f"{fake.base}/api/daily_papers", {"date": "2026-08-21"})
    assert time.monotonic() - started >= 0.6
    assert all("dailypapers/" in headers["User-Agent"] for _, _, headers in fake.requests)


def test_retry_after_is_honoured_up_to_the_cap(fake):
    fake.fault("api", lambda: (503, {"Retry-After": "30"}, b"busy"))
    client = PoliteClient("test", delay=0, timeout=5, retries=1, max_retry_after=0.5)
    started = time.monotonic()
    assert client.get(f"{fake.base}/api/daily_papers").status_code == 200
    assert 0.5 <= time.monotonic() - started < 5  # asked 30 s, capped at 0.5


def test_a_4xx_is_not_retried(fake):
    client = PoliteClient("test", delay=0, timeout=5, retries=3, backoff=0)
    with pytest.raises(UpstreamError, match="refused the request: HTTP 404"):
        client.get(f"{fake.base}/nothing-here")
    assert len(fake.requests) == 1


def test_retry_after_as_seconds_or_http_date():
    now = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
    assert retry_after("120", now) == 120.0
    assert retry_after("Thu, 03 Dec 2026 12:01:30 GMT", now) == 90.0
    assert retry_after("Thu, 03 Dec 2026 11:00:00 GMT", now) == 0.0
    assert retry_after("soon", now) is None and retry_after(None, now) is None
