"""Page query counts must not grow with the number of papers shown (no N+1 queries)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_entry, make_org, make_paper, make_user

pytestmark = pytest.mark.django_db


def _fill_day(count: int, date: str) -> None:
    """``count`` fully-dressed papers on ``date``: org, authors, a local submitter, links."""
    user = make_user()
    for n in range(count):
        paper = make_paper(
            authors=(f"Author {n}", f"Coauthor {n}", "Shared Author", f"Fourth {n}"),
            organization=make_org(f"org-{date}-{n}"),
            github_repo="https://github.com/o/r",
            github_stars=n,
            ai_keywords=["a", "b"],
            published_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        )
        make_entry(paper, date, submitted_by=user if n % 2 else None, submitter_name="hf")


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_feed_queries_do_not_grow_with_papers(client):
    _fill_day(3, "2025-03-10")
    _fill_day(30, "2025-03-12")
    small = _queries(client, "/papers/date/2025-03-10")
    large = _queries(client, "/papers/date/2025-03-12")
    assert large == small, f"3 papers: {small} queries, 30 papers: {large}"


def test_feed_query_budget(client, django_assert_max_num_queries):
    _fill_day(30, "2025-03-12")
    with django_assert_max_num_queries(15):
        client.get("/papers")


def test_week_and_month_queries_do_not_grow(client):
    _fill_day(3, "2025-03-10")
    _fill_day(30, "2025-03-18")
    assert _queries(client, "/papers/week/2025-W11") == _queries(client, "/papers/week/2025-W12")


def test_author_and_organization_pages_do_not_grow(client):
    _fill_day(3, "2025-03-10")
    few = _queries(client, "/authors/shared-author?page=1")
    _fill_day(27, "2025-03-12")
    many = _queries(client, "/authors/shared-author?page=1")
    assert few == many


def test_feed_queries_do_not_grow_for_a_logged_in_user(client):
    client.force_login(make_user("reader"))
    _fill_day(3, "2025-03-10")
    _fill_day(30, "2025-03-12")
    assert _queries(client, "/papers/date/2025-03-10") == _queries(
        client, "/papers/date/2025-03-12"
    )
