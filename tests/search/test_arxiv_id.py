"""An arXiv id (bare, versioned, prefixed or a URL) jumps straight to the paper."""

from __future__ import annotations

import pytest

from search.service import SearchQuery, search


@pytest.mark.parametrize(
    "q", ["2501.12948", "2501.12948v2", "arXiv:2501.12948", "https://arxiv.org/abs/2501.12948"]
)
def test_id_query_sets_redirect(corpus, q):
    assert search(SearchQuery(q=q)).redirect_to.arxiv_id == "2501.12948"


def test_page_redirects_to_the_paper(corpus, client):
    response = client.get("/papers/search", {"q": " 2501.12948 "})
    assert response.status_code == 302
    assert response["Location"] == "/papers/2501.12948"


def test_htmx_live_search_navigates_instead_of_swapping(corpus, client):
    response = client.get("/papers/search", {"q": "2501.12948"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/papers/2501.12948"


def test_unknown_id_explains(corpus):
    results = search(SearchQuery(q="2612.99999"))
    assert results.redirect_to is None
    assert "2612.99999" in results.message
