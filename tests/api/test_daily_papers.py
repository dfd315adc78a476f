"""GET /api/daily_papers: periods, sorting, paging, filters, validation and caching headers."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_daily_paper, make_entry, make_paper, make_user

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    return [item["paper"]["id"] for item in response.json()]


@pytest.fixture
def feed():
    """Two days in one ISO week (2025-W07) and one day in the next month."""
    make_daily_paper("2025-02-10", arxiv_id="2502.00001", upvotes=5)
    make_daily_paper("2025-02-10", arxiv_id="2502.00002", upvotes=30)
    make_daily_paper("2025-02-11", arxiv_id="2502.00003", upvotes=10)
    make_daily_paper("2025-03-03", arxiv_id="2503.00001", upvotes=1)


def test_without_a_date_returns_the_latest_day_with_papers(client, feed):
    response = client.get("/api/daily_papers")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert ids(response) == ["2503.00001"]


def test_empty_database_gives_an_empty_list(client):
    response = client.get("/api/daily_papers")
    assert response.status_code == 200
    assert response.json() == []


def test_date_lists_that_day_most_upvoted_first(client, feed):
    assert ids(client.get("/api/daily_papers?date=2025-02-10")) == ["2502.00002", "2502.00001"]


def test_week_and_month_cover_the_period(client, feed):
    week = ids(client.get("/api/daily_papers?week=2025-W07"))
    assert week == ["2502.00002", "2502.00003", "2502.00001"]
    assert ids(client.get("/api/daily_papers?month=2025-03")) == ["2503.00001"]


def test_sort_published_at_lists_newest_first(client):
    make_daily_paper(
        "2025-02-10",
        arxiv_id="2502.00011",
        upvotes=50,
        published_at=dt.datetime(2025, 2, 6, tzinfo=dt.UTC),
    )
    make_daily_paper(
        "2025-02-10",
        arxiv_id="2502.00012",
        upvotes=1,
        published_at=dt.datetime(2025, 2, 8, tzinfo=dt.UTC),
    )
    response = client.get("/api/daily_papers?date=2025-02-10&sort=publishedAt")
    assert ids(response) == ["2502.00012", "2502.00011"]


def test_sort_trending_for_a_closed_period_is_the_upvote_order(client, feed):
    response = client.get("/api/daily_papers?week=2025-W07&sort=trending")
    assert ids(response) == ["2502.00002", "2502.00003", "2502.00001"]


def test_pages_and_limit(client, feed):
    assert ids(client.get("/api/daily_papers?week=2025-W07&limit=2")) == [
        "2502.00002",
        "2502.00003",
    ]
    assert ids(client.get("/api/daily_papers?week=2025-W07&limit=2&p=1")) == ["2502.00001"]
    assert ids(client.get("/api/daily_papers?week=2025-W07&limit=2&p=2")) == []


def test_default_limit_is_50(client):
    for n in range(55):
        make_daily_paper("2025-02-10", arxiv_id=f"2502.{n:05d}")
    assert len(client.get("/api/daily_papers?date=2025-02-10").json()) == 50


def test_submitter_filter_matches_imported_and_local_submitters(client):
    bob = make_user("bob")
    make_entry(make_paper(arxiv_id="2502.00021"), "2025-02-10", submitter_name="akhaliq")
    make_entry(make_paper(arxiv_id="2502.00022"), "2025-02-10", submitted_by=bob)
    make_entry(make_paper(arxiv_id="2502.00023"), "2025-02-10")
    assert ids(client.get("/api/daily_papers?date=2025-02-10&submitter=akhaliq")) == ["2502.00021"]
    assert ids(client.get("/api/daily_papers?date=2025-02-10&submitter=bob")) == ["2502.00022"]


def test_hidden_entries_are_not_listed(client):
    make_daily_paper("2025-02-10", arxiv_id="2502.00031")
    make_entry(make_paper(arxiv_id="2502.00032"), "2025-02-10", hidden=True)
    assert ids(client.get("/api/daily_papers?date=2025-02-10")) == ["2502.00031"]


def test_unknown_parameters_are_ignored(client, feed):
    response = client.get("/api/daily_papers?date=2025-02-10&foo=bar&page=3")
    assert response.status_code == 200
    assert len(response.json()) == 2


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("date=2025-02-30", "not a real calendar date"),
        ("date=10/02/2025", "YYYY-MM-DD"),
        ("week=2025-W60", "not a week"),
        ("month=2025-13", "not a real month"),
        ("date=2025-02-10&week=2025-W07", "only one of date, week or month"),
        ("limit=0", "'limit'"),
        ("limit=101", "less than or equal to 100"),
        ("limit=ten", "'limit'"),
        ("p=-1", "'p'"),
        ("sort=upvotes", "'sort'"),
    ],
)
def test_invalid_values_are_rejected_with_a_clear_message(client, query, fragment):
    response = client.get(f"/api/daily_papers?{query}")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"}
    assert fragment in body["error"]


def test_etag_and_if_none_match(client, feed):
    first = client.get("/api/daily_papers?date=2025-02-10")
    etag = first["ETag"]
    assert etag.startswith('"')
    again = client.get("/api/daily_papers?date=2025-02-10", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get("/api/daily_papers?date=2025-02-11", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_etag_changes_when_upvotes_change(client, feed):
    from community.services import set_vote
    from papers.models import Paper
    from tests.factories import make_user

    etag = client.get("/api/daily_papers?date=2025-02-10")["ETag"]
    paper = Paper.objects.get(arxiv_id="2502.00001")
    set_vote(make_user("voter"), paper.pk, True)  # an F() update of the counter
    response = client.get("/api/daily_papers?date=2025-02-10", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_last_modified_and_if_modified_since(client, feed):
    first = client.get("/api/daily_papers?date=2025-02-10")
    last_modified = first["Last-Modified"]
    assert last_modified.endswith("GMT")
    response = client.get(
        "/api/daily_papers?date=2025-02-10", headers={"If-Modified-Since": last_modified}
    )
    assert response.status_code == 304
    stale = client.get(
        "/api/daily_papers?date=2025-02-10",
        headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
    )
    assert stale.status_code == 200


def test_a_new_vote_moves_last_modified(client, feed):
    from community.services import set_vote
    from papers.models import Paper

    first = client.get("/api/daily_papers?date=2025-02-10")
    paper = Paper.objects.get(arxiv_id="2502.00001")
    set_vote(
        make_user("voter"), paper.pk, True, now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    )
    response = client.get(
        "/api/daily_papers?date=2025-02-10", headers={"If-Modified-Since": first["Last-Modified"]}
    )
    assert response.status_code == 200
    assert response["Last-Modified"] != first["Last-Modified"]


def _queries_for(client, date: str, n: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for index in range(n):
        make_daily_paper(date, arxiv_id=f"{date[2:4]}{date[5:7]}.{date[8:]}{index:03d}")
    with CaptureQueriesContext(connection) as captured:
        assert len(client.get(f"/api/daily_papers?date={date}").json()) == n
    return len(captured)


def test_query_count_does_not_grow_with_the_page(client):
    assert _queries_for(client, "2025-02-12", 3) == _queries_for(client, "2025-02-13", 30)


@pytest.mark.parametrize(
    ("published", "item_published"),
    [
        # Winter: New York is on EST (UTC-5).
        (dt.datetime(2026, 1, 14, 0, 0, tzinfo=dt.UTC), "2026-01-13T19:00:00.000Z"),
        # Summer: EDT (UTC-4); HF answered 2026-08-16T20:00:00.000Z for this paper time.
        (dt.datetime(2026, 8, 17, 0, 0, tzinfo=dt.UTC), "2026-08-16T20:00:00.000Z"),
        # The offset is New York's at the paper's instant: 2026-03-08 07:00 UTC is 03:00 EDT.
        (dt.datetime(2026, 3, 8, 6, 59, tzinfo=dt.UTC), "2026-03-08T01:59:00.000Z"),
        (dt.datetime(2026, 3, 8, 7, 0, tzinfo=dt.UTC), "2026-03-08T03:00:00.000Z"),
    ],
)
def test_item_published_at_is_the_new_york_wall_clock_time(client, published, item_published):
    """HF's item-level publishedAt (the client's PaperInfo.submitted_at) is the paper's time
    shifted by New York's UTC offset; the nested paper keeps the real instant."""
    make_daily_paper("2026-08-20", arxiv_id="2608.00001", published_at=published)
    item = client.get("/api/daily_papers?date=2026-08-20").json()[0]
    assert item["publishedAt"] == item_published
    assert item["paper"]["publishedAt"] == published.isoformat()[:19] + ".000Z"
    found = client.get("/api/papers/search").json()[0]
    assert found["publishedAt"] == item_published
