"""Misspelled words: corrected from the index's own vocabulary, automatically when the query
as typed matches nothing, offered ("Did you mean") otherwise; in every mode."""

from __future__ import annotations

import pytest

from search import service
from search.service import SearchQuery, search
from search.spelling import distance


def test_distance_counts_a_swap_as_one_edit():
    assert distance("transfromer", "transformer") == 1
    assert distance("atention", "attention") == 1
    assert distance("decodng", "decoding") == 1
    assert distance("abc", "xyz") == 3


@pytest.mark.parametrize("mode", service.MODES)
def test_a_misspelled_query_still_finds_the_paper(corpus, mode):
    results = search(SearchQuery(q="speculatve decodng", mode=mode))
    assert "2501.19324" in [h.paper.arxiv_id for h in results.hits[:3]]
    if results.corrected:
        assert results.corrected == "speculative decoding"
        assert "showing results for “speculative decoding”" in results.message


def test_a_query_matching_nothing_is_corrected_automatically(corpus):
    results = search(SearchQuery(q="speculatve decodng", mode="keyword"))
    assert results.corrected == "speculative decoding"
    assert results.hits[0].paper.arxiv_id == "2501.19324"


def test_a_correction_is_offered_when_the_query_matches_something(corpus, client):
    results = search(SearchQuery(q="speculative decodng", mode="keyword"))
    assert results.total and not results.corrected
    assert results.suggestion == "speculative decoding"
    body = client.get("/papers/search", {"q": "speculative decodng", "mode": "keyword"})
    assert "Did you mean" in body.content.decode()


def test_known_words_and_gibberish_are_left_alone(corpus):
    assert search(SearchQuery(q="speculative decoding")).suggestion == ""
    results = search(SearchQuery(q="qwertyuiopzxcv flibbertigibbet"))
    assert results.total == 0 and not results.corrected and not results.suggestion


def test_the_api_applies_the_same_correction(corpus, client):
    items = client.get("/api/papers/search", {"q": "speculatve decodng", "mode": "keyword"}).json()
    assert items[0]["paper"]["id"] == "2501.19324"
