"""Named users (owner, other, curator, anonymous), frozen time and a fake arXiv for
community tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from papers.importers.arxiv_fetch import ArxivUnavailable
from papers.importers.records import AuthorRecord, PaperRecord
from tests.factories import make_daily_paper, make_user

NOW = dt.datetime(2025, 1, 8, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fast_hasher_and_clean_cache(settings) -> Iterator[None]:
    """MD5 keeps tests fast (scrypt is tested on its own); limiter counters never leak."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TRENDING_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen(time_machine) -> dt.datetime:
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def other(db):
    return make_user("other")


@pytest.fixture
def curator(db):
    user = make_user("curator")
    user.groups.add(Group.objects.get(name="curator"))
    return user


@pytest.fixture
def anonymous() -> Client:
    return Client()


def logged_in(user, **client_kwargs: Any) -> Client:
    client = Client(**client_kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner) -> Client:
    return logged_in(owner)


@pytest.fixture
def other_client(other) -> Client:
    return logged_in(other)


@pytest.fixture
def curator_client(curator) -> Client:
    return logged_in(curator)


@pytest.fixture
def paper(db):
    """A paper on the feed of TODAY with 3 imported Hugging Face upvotes."""
    entry = make_daily_paper(
        TODAY.isoformat(),
        arxiv_id="2501.00001",
        title="Attention again",
        upvotes=3,
        imported_upvotes=3,
        published_at=NOW - dt.timedelta(days=2),
    )
    return entry.paper


HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class FakeArxiv:
    """What ``fetch_arxiv_ids`` returns (or raises) in a test; records every call."""

    records: dict[str, PaperRecord] = field(default_factory=dict)
    down: bool = False
    calls: list[list[str]] = field(default_factory=list)

    def add(self, arxiv_id: str, published_at: dt.datetime, title: str = "") -> None:
        self.records[arxiv_id] = PaperRecord(
            arxiv_id=arxiv_id,
            title=title or f"Fetched {arxiv_id}",
            source="arxiv",
            abstract="Fetched from arXiv.",
            authors=[AuthorRecord("Grace Hopper"), AuthorRecord("Edsger Dijkstra")],
            published_at=published_at,
        )

    def fetch(self, ids: list[str], client: Any = None) -> list[PaperRecord]:
        self.calls.append(list(ids))
        if self.down:
            raise ArxivUnavailable("arXiv API unavailable after 1 tries: ReadTimeout")
        return [self.records[i] for i in ids if i in self.records]


@pytest.fixture
def arxiv(monkeypatch) -> FakeArxiv:
    """Replace the network boundary (papers.importers' fetch_arxiv_ids) with a fake."""
    fake = FakeArxiv()
    monkeypatch.setattr("papers.importers.arxiv_fetch.fetch_arxiv_ids", fake.fetch)
    return fake
