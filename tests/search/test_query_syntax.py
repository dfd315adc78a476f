"""Query syntax people know (quotes, -word, -"phrase", OR, author:, title:, org:) and author
names: parsed into terms (never handed to a query parser) and the same on page and API."""

from __future__ import annotations

import pytest

from search import service
from search.service import SYNTAX_HELP, SearchQuery, search
from search.text import parse_query


def _ids(q: str, mode: str = "hybrid", **kw) -> list[str]:
    return [h.paper.arxiv_id for h in search(SearchQuery(q=q, mode=mode, limit=200, **kw)).hits]


def _text(hit) -> str:
    return f"{hit.paper.title}\n{hit.paper.abstract}".lower()


def test_operators_are_parsed_into_terms():
    parsed = parse_query(
        'author:"Dahua Lin" agents -video -"image editing" title:reasoning OR x org:acme'
    )
    assert parsed.authors == [["Dahua", "Lin"]]
    assert parsed.excluded == [["image", "editing"], ["video"]]
    assert parsed.titles == [["reasoning"]]
    assert parsed.orgs == ["acme"]
    assert parsed.any_word and parsed.words == ["agents", "x"]
    assert parse_query("state-of-the-art").excluded == []


@pytest.mark.parametrize("mode", service.MODES)
def test_excluded_words_and_phrases_never_appear(corpus, mode):
    hits = search(
        SearchQuery(q='language models -reasoning -"reinforcement learning"', mode=mode, limit=200)
    ).hits
    assert hits
    for hit in hits:
        assert "reasoning" not in _text(hit) and "reinforcement learning" not in _text(hit)


@pytest.mark.parametrize("mode", service.MODES)
def test_title_words_are_required_in_the_title(corpus, mode):
    hits = search(SearchQuery(q="title:video generation", mode=mode, limit=200)).hits
    assert hits and all("video" in h.paper.title.lower() for h in hits)


@pytest.mark.parametrize(
    "q", ['author:"Dahua Lin"', 'author:"dahua lin" multimodal', "Dahua Lin", '"Dahua Lin"']
)
def test_an_author_name_ranks_their_papers_first_and_links_them(corpus, q, client):
    results = search(SearchQuery(q=q, limit=200))
    theirs = {
        p.arxiv_id
        for p in corpus.values()
        if "Dahua Lin" in [a.author.name for a in p.authorships.all()]
    }
    assert [a.name for a in results.authors] == ["Dahua Lin"]
    first = [h.paper.arxiv_id for h in results.hits[: len(theirs)]]
    if q.endswith("multimodal"):
        assert set(first) <= theirs and first
    else:
        assert set(first) == theirs
    body = client.get("/papers/search", {"q": q}).content.decode()
    assert f'href="{results.authors[0].get_absolute_url()}"' in body
    api = client.get("/api/papers/search", {"q": q, "limit": 120}).json()
    assert [i["paper"]["id"] for i in api] == [h.paper.arxiv_id for h in results.hits][:120]


def test_or_matches_either_word(corpus):
    both = set(_ids("diffusion OR speculative", "keyword"))
    assert set(_ids("diffusion", "keyword")) | set(_ids("speculative", "keyword")) <= both


def test_org_operator_filters_like_the_org_parameter(corpus):
    org = next(p.organization for p in corpus.values() if p.organization)
    assert _ids(f"language models org:{org.slug}") == _ids("language models", organization=org.slug)


def test_help_is_on_the_page_and_in_the_api_docs(corpus, client):
    assert "author:" in SYNTAX_HELP and "-word" in SYNTAX_HELP
    assert "author:&quot;Name&quot;" in client.get("/papers/search").content.decode()
    schema = client.get("/api/openapi.json").json()
    assert "author:" in str(schema["paths"]["/api/papers/search"])
