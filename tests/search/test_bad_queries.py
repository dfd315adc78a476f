"""Odd or hostile queries never raise: they get results or a helpful message."""

from __future__ import annotations

import pytest

from search.service import SearchQuery, search

BAD = [
    "",
    "   ",
    "x" * 10_000,
    '"',
    '"unclosed phrase',
    "*",
    "NEAR(",
    "-",
    "AND OR",
    "((( ]]",
    "title:foo",
    "'; DROP TABLE papers_paper; --",
    "ünïcödé 日本語の論文",
    "🙂🚀",
    "nul\x00byte",
    '""',
    "a" * 300,
    "\\",
]


# One test per surface (not per query) so the corpus is indexed once for all of them.
def test_service_never_raises(corpus):
    for q in BAD:
        for mode in ("hybrid", "keyword", "semantic"):
            results = search(SearchQuery(q=q, mode=mode))
            assert results.hits or results.message, (q, mode)


def test_page_never_errors(corpus, client):
    for q in BAD:
        for mode in ("hybrid", "keyword", "semantic"):
            response = client.get("/papers/search", {"q": q, "mode": mode})
            assert response.status_code == 200, (q, mode)


def test_api_never_errors(corpus, client):
    for q in BAD:
        response = client.get("/api/papers/search", {"q": q})
        assert response.status_code in (200, 400), q
        if response.status_code == 400:
            assert response.json()["error"], q


def test_empty_query_shows_help(corpus):
    assert "arXiv id" in search(SearchQuery(q="")).message


def test_symbols_only_query_explains(corpus):
    assert "no words" in search(SearchQuery(q="*** ---")).message


def test_long_query_is_shortened_with_a_note(corpus):
    results = search(SearchQuery(q="diffusion " * 2000))
    assert results.hits
    assert "shortened" in results.message


@pytest.mark.parametrize(
    "params",
    [{"page": "x"}, {"page": "999"}, {"from": "yesterday"}, {"mode": "x"}, {"sort": "x"}],
)
def test_bad_page_parameters_are_explained(corpus, client, params):
    response = client.get("/papers/search", {"q": "diffusion", **params})
    assert response.status_code == 200
    assert b'class="message warning"' in response.content
