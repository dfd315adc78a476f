"""A generous per-client limit on search (page, live results, API, feed): a 429 with the
limiter's message once a client passes it, while other clients keep searching."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LIMIT = 4


@pytest.fixture(autouse=True)
def _limit(settings, time_machine) -> None:
    time_machine.move_to(dt.datetime(2025, 1, 8, 12, 0, 30, tzinfo=dt.UTC), tick=False)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": (LIMIT, 60)}


URLS = [
    "/papers/search?q=attention",
    "/api/papers/search?q=attention",
    "/feeds/search.xml?q=attention",
]


@pytest.mark.parametrize("url", URLS)
def test_each_search_endpoint_answers_429_past_the_limit(url):
    client = Client(REMOTE_ADDR="198.51.100.20")
    answers = [client.get(url).status_code for _ in range(LIMIT + 2)]
    assert answers[:LIMIT] == [200] * LIMIT
    assert answers[LIMIT:] == [429, 429]
    assert Client(REMOTE_ADDR="198.51.100.21").get(url).status_code == 200


def test_the_endpoints_share_one_budget_and_answer_in_their_format():
    client = Client(REMOTE_ADDR="198.51.100.22")
    for url in [*URLS, "/papers/search?q=more"]:
        assert client.get(url).status_code == 200
    page = client.get("/papers/search?q=x")
    assert page.status_code == 429 and page["Retry-After"] == "30"
    assert "Too many search requests: the limit is 4 per minute" in page.content.decode()
    live = client.get("/papers/search?q=x", HTTP_HX_REQUEST="true")
    assert live["Content-Type"].startswith("text/plain")
    assert live.content.decode().startswith("Too many search requests")
    api = client.get("/api/papers/search?q=x")
    assert api.status_code == 429
    assert api.json()["error"].startswith("Too many search requests: the limit is 4 per minute")


def test_a_new_minute_starts_a_new_budget(time_machine):
    client = Client(REMOTE_ADDR="198.51.100.23")
    for _ in range(LIMIT + 1):
        client.get("/papers/search?q=attention")
    time_machine.move_to(dt.datetime(2025, 1, 8, 12, 1, 0, tzinfo=dt.UTC), tick=False)
    assert client.get("/papers/search?q=attention").status_code == 200
