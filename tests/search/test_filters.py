"""Filters (date range, organization, has code, daily feed) and sort orders."""

from __future__ import annotations

import datetime as dt

from papers.models import DailyEntry
from search.service import SearchQuery, search

Q = "language models"


def _hits(**kw):
    return search(SearchQuery(q=Q, limit=100, **kw)).hits


def test_unfiltered_query_has_many_results(corpus):
    assert len(_hits()) > 30


def test_date_range(corpus):
    start, end = dt.date(2025, 3, 1), dt.date(2025, 5, 31)
    hits = _hits(date_from=start, date_to=end)
    assert hits
    assert all(start <= h.paper.published_at.date() <= end for h in hits)


def test_organization(corpus):
    org = next(p.organization for p in corpus.values() if p.organization)
    hits = search(SearchQuery(q=org.papers.first().title, organization=org.slug)).hits
    assert hits
    assert {h.paper.organization_id for h in hits} == {org.pk}


def test_has_code(corpus):
    hits = _hits(has_code=True)
    assert hits
    assert all(h.paper.github_repo for h in hits)
    assert len(hits) < len(_hits())


def test_daily_only(corpus):
    hits = _hits(daily_only=True)
    on_feed = set(DailyEntry.objects.values_list("paper_id", flat=True))
    assert hits
    assert {h.paper.pk for h in hits} <= on_feed
    assert len(hits) < len(_hits())


def test_sort_newest(corpus):
    dates = [h.paper.published_at for h in _hits(sort="newest")]
    assert dates == sorted(dates, reverse=True)


def test_sort_upvotes(corpus):
    votes = [h.paper.upvotes for h in _hits(sort="upvotes")]
    assert votes == sorted(votes, reverse=True)
    assert votes[0] > votes[-1]


def test_pagination_is_consistent(corpus):
    first = search(SearchQuery(q=Q, limit=10)).hits
    second = search(SearchQuery(q=Q, limit=10, offset=10)).hits
    both = search(SearchQuery(q=Q, limit=20)).hits
    assert [h.paper.pk for h in first + second] == [h.paper.pk for h in both]


def test_filter_with_no_match_explains(corpus):
    results = search(SearchQuery(q=Q, date_from=dt.date(2030, 1, 1)))
    assert results.hits == []
    assert "filter" in results.message


def test_a_narrow_filter_keeps_a_deep_match(corpus):
    """A filter selects among all of the query's matches, not only the first page's."""
    everything = search(SearchQuery(q=Q, mode="keyword", limit=1000)).hits
    target = everything[-1].paper
    assert len(everything) > 20  # the target is far below the first page
    day = target.published_at.date()
    hits = search(SearchQuery(q=Q, mode="keyword", date_from=day, date_to=day)).hits
    assert target.pk in {h.paper.pk for h in hits}
    assert all(h.paper.published_at.date() == day for h in hits)
