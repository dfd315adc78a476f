"""The /papers/search page: full page, htmx partial, highlighting, empty state."""

from __future__ import annotations


def test_full_page_has_box_modes_filters_and_results(corpus, client):
    response = client.get("/papers/search", {"q": "speculative decoding"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="input changed delay:300ms' in html
    assert 'name="mode" value="semantic"' in html
    assert 'name="org"' in html and 'name="code"' in html and 'name="daily"' in html
    assert "<mark>Speculative</mark>" in html
    assert "search/search.css" in html


def test_htmx_request_gets_only_the_results(corpus, client):
    response = client.get("/papers/search", {"q": "speculative decoding"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<mark>Speculative</mark>" in html
    assert "<form" not in html and "<html" not in html


def test_empty_query_shows_help(corpus, client):
    html = client.get("/papers/search").content.decode()
    assert "Search the papers" in html
    assert "quotes" in html


def test_html_in_query_is_escaped(corpus, client):
    html = client.get("/papers/search", {"q": "<script>alert(1)</script> diffusion"}).content
    assert b"<script>alert(1)" not in html


def test_pagination_links_keep_the_query(corpus, client):
    html = client.get("/papers/search", {"q": "model", "mode": "keyword"}).content.decode()
    assert "page=2" in html
    assert "mode=keyword" in html
    second = client.get("/papers/search", {"q": "model", "mode": "keyword", "page": 2})
    assert second.status_code == 200
    assert "Page 2 of" in second.content.decode()
