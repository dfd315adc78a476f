"""Absolute score floors: a query with no real match says so (with a separate, labelled
"loosely related" list), the count is the count of real matches, and topic digests use the
same floors."""

from __future__ import annotations

import datetime as dt

import pytest

from digests.queries import DigestSource, plan_digest
from search import service
from search.service import SearchQuery, search, search_ranked, topic_matches

OFF_TOPIC = [
    "qwertyuiopzxcv flibbertigibbet",
    "medieval french poetry",
    "sourdough bread baking recipes",
]


@pytest.mark.parametrize("mode", service.MODES)
@pytest.mark.parametrize("q", OFF_TOPIC)
def test_a_query_without_a_real_match_returns_nothing(corpus, q, mode):
    results = search(SearchQuery(q=q, mode=mode))
    assert results.total == 0 and results.hits == []
    assert "No papers match" in results.message


def test_the_page_says_no_match_and_labels_the_loose_list(corpus, client):
    body = client.get("/papers/search", {"q": "medieval french poetry"}).content.decode()
    assert "No papers match" in body
    assert "Loosely related" in body and "not matches" in body
    assert "search-count" not in body  # no "1-20 of N papers" line


def test_the_api_agrees_with_the_page(corpus, client):
    assert client.get("/api/papers/search", {"q": "medieval french poetry"}).json() == []
    items = client.get("/api/papers/search", {"q": "speculative decoding", "limit": 120}).json()
    assert len(items) == search_ranked(SearchQuery(q="speculative decoding", limit=120)).total


def test_the_count_is_the_count_of_real_matches(corpus):
    """A real query matches some papers, not all 145 (every paper has *some* cosine)."""
    results = search(SearchQuery(q="speculative decoding for faster reasoning", limit=200))
    assert 0 < results.total < 40
    assert results.total == len(results.hits)
    assert results.hits[0].paper.arxiv_id == "2501.19324"


def test_topic_digest_keeps_nothing_for_an_off_topic_topic(corpus):
    ids = [p.pk for p in corpus.values()]
    source = DigestSource("daily", dt.datetime(2025, 2, 1, tzinfo=dt.UTC), _trending=ids)
    for topic in ("medieval french poetry", "sourdough bread baking recipes"):
        assert source.candidate_ids(topic) == []
        plan = plan_digest(source, "daily", 5, topic)
        assert plan.papers == []
        assert "matches your topic" in plan.empty_reason
    kept = source.candidate_ids("speculative decoding")
    assert corpus["2501.19324"].pk == kept[0]
    assert len(kept) < 20
    assert topic_matches("speculative decoding", ids) == kept
