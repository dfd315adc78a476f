"""Ranking sanity on real papers: title, paraphrase, author, natural-language questions."""

from __future__ import annotations

import pytest

from search.service import SearchQuery, search


def _ids(q: str, mode: str = "hybrid", limit: int = 5) -> list[str]:
    return [h.paper.arxiv_id for h in search(SearchQuery(q=q, mode=mode, limit=limit)).hits]


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_exact_title_finds_the_paper_first(corpus, mode):
    assert (
        _ids(
            "Block Diffusion: Interpolating Between Autoregressive and Diffusion Language Models",
            mode,
        )[0]
        == "2503.09573"
    )


def test_paraphrase_of_the_abstract_is_found_semantically(corpus):
    # FilmAgent's abstract, paraphrased without its distinctive words.
    q = "cooperating AI agents that shoot a movie inside a simulated three-dimensional world"
    assert "2501.12909" in _ids(q, "semantic", limit=3)
    assert "2501.12909" in _ids(q, "hybrid", limit=10)


def test_author_name_finds_their_papers(corpus):
    ids = _ids("Niklas Muennighoff", "hybrid", limit=3)
    assert ids[0] == "2501.19393"


def test_natural_language_question(corpus):
    ids = _ids("how can a model defend against jailbreaks", "hybrid", limit=3)
    assert "2501.18837" in ids


def test_exact_phrase_is_required(corpus):
    hits = search(SearchQuery(q='"test-time scaling"', mode="hybrid", limit=50)).hits
    assert hits
    for hit in hits:
        text = f"{hit.paper.title} {hit.paper.abstract}".lower().replace("-", " ")
        assert "test time scaling" in text


def test_matched_terms_are_highlighted_and_escaped(corpus):
    hit = search(SearchQuery(q="speculative decoding", mode="keyword", limit=1)).hits[0]
    assert hit.paper.arxiv_id == "2501.19324"
    assert "<mark>Speculative</mark> <mark>Decoding</mark>" in hit.title_html
    assert "<mark>" in hit.abstract_html
