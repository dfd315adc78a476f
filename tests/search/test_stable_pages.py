"""Every page of a query is a slice of one ordered list of matches, decided once: no paper
twice, none skipped, the same total on every page, whatever the page size, filter or sort."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import service
from search.service import SearchQuery, search_ranked

WORDS = ["language", "models", "reasoning", "video", "diffusion", "agents", "learning", "data"]
QUERIES = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
FILTERS = st.sampled_from(
    [
        {},
        {"has_code": True},
        {"daily_only": True},
        {"date_from": dt.date(2025, 1, 1)},
        {"sort": "upvotes"},
        {"sort": "newest", "has_code": True},
    ]
)


def _all_pages(q: str, mode: str, size: int, **options) -> tuple[list[int], set[int]]:
    ids: list[int] = []
    totals = set()
    offset = 0
    while True:
        query = SearchQuery(q=q, mode=mode, limit=size, offset=offset, **options)
        results = search_ranked(query)
        totals.add(results.total)
        ids += [pid for pid, _ in results.page]
        if not results.page:
            return ids, totals
        offset += size


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=QUERIES,
    mode=st.sampled_from(service.MODES),
    size=st.integers(min_value=1, max_value=40),
    options=FILTERS,
)
def test_pages_are_slices_of_one_list(corpus, q, mode, size, options):
    whole = search_ranked(SearchQuery(q=q, mode=mode, limit=1000, **options))
    paged, totals = _all_pages(q, mode, size, **options)
    assert paged == [pid for pid, _ in whole.page]
    assert len(paged) == len(set(paged))
    assert totals == {whole.total} and whole.total == len(paged)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=QUERIES, mode=st.sampled_from(service.MODES), options=FILTERS)
def test_a_filter_or_sort_never_changes_which_papers_match(corpus, q, mode, options):
    """Filtering selects from the unfiltered matches (and sorting reorders them): a query
    has the same semantics on page 11 as on page 1, with or without a filter."""
    plain = search_ranked(SearchQuery(q=q, mode=mode, limit=1000))
    chosen = search_ranked(SearchQuery(q=q, mode=mode, limit=1000, **options))
    assert {pid for pid, _ in chosen.page} <= {pid for pid, _ in plain.page}
    if not options:
        assert chosen.page == plain.page
    if options.get("sort") == "upvotes" and len(options) == 1:
        assert chosen.total == plain.total


def test_all_first_is_decided_once_per_query(corpus, settings):
    """``all-first`` picks "every word" or "any word" semantics from the query alone: the
    papers of page 11 are those of the whole list, never a different semantics."""
    settings.SEARCH_KEYWORD_MATCH = "all-first"
    whole = search_ranked(SearchQuery(q="language models reasoning", mode="keyword", limit=1000))
    deep = search_ranked(
        SearchQuery(q="language models reasoning", mode="keyword", limit=2, offset=20)
    )
    assert deep.total == whole.total
    assert deep.page == whole.page[20:22]
