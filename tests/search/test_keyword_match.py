"""``SEARCH_KEYWORD_MATCH``: with ``all-first`` (the default) BM25 over only the papers with
every word when enough of them exist, with ``any`` over every paper with any word."""

from __future__ import annotations

import pytest

from search import keyword, service
from search.text import parse_query, stem_analyzer

DOCS = [
    # Many mentions of one word outscore fewer mentions of both in plain BM25.
    keyword.KeywordDoc(1, "Graphene", "Graphene graphene graphene graphene graphene.", ""),
    keyword.KeywordDoc(2, "Cathodes", "Battery battery battery battery battery.", ""),
    keyword.KeywordDoc(3, "A graphene battery", "We build a graphene battery.", "Ada Smith"),
    keyword.KeywordDoc(
        4,
        "Graphene battery recycling",
        "Recycling of used packs from cars and phones at scale, with costs and yields.",
        "Bo Chen",
    ),
    keyword.KeywordDoc(5, "Unrelated", "Nothing about materials here.", "Jane Smith"),
] + [
    # "battery" is common, "graphene" rare: BM25 weighs graphene far more.
    keyword.KeywordDoc(10 + n, f"Battery note {n}", "A battery study of storage cells.", "")
    for n in range(8)
]


@pytest.fixture
def index(tmp_path):
    built = keyword.open_index(tmp_path / "kw")
    keyword.write(built, DOCS, replace=False)
    built.reload()
    return built


def _ids(hits: list[tuple[int, float]]) -> list[int]:
    return [pid for pid, _ in hits]


def test_any_ranks_every_paper_with_any_word(index):
    hits = keyword.search(index, parse_query("graphene battery"), 10)
    assert sorted(_ids(hits))[:4] == [1, 2, 3, 4]
    # The premise of the tests below: a one-word paper outranks a paper with both words.
    assert _ids(hits).index(1) < _ids(hits).index(4)


def test_all_first_keeps_only_papers_with_every_word_when_enough_exist(index):
    query = parse_query("graphene battery")
    every = keyword.search(index, query, 2, match="all-first")
    assert sorted(_ids(every)) == [3, 4]
    # Same BM25 scores as among all papers: only who competes changes.
    anywhere = dict(keyword.search(index, query, 10))
    for pid, score in every:
        assert score == pytest.approx(anywhere[pid])


def test_all_first_falls_back_to_any_word_when_too_few_have_all(index):
    query = parse_query("graphene battery")
    assert keyword.search(index, query, 3, match="all-first") == keyword.search(index, query, 3)


@pytest.mark.parametrize("q", ["graphene", "smith", '"graphene battery" recycling'])
def test_all_first_leaves_single_words_names_and_phrases_working(index, q):
    query = parse_query(q)
    assert keyword.search(index, query, 5, match="all-first") == keyword.search(index, query, 5)
    assert keyword.search(index, query, 5)


def test_an_author_with_a_topic_word_falls_back(index):
    """Names are not in the text field, so "smith battery" has no paper with every word."""
    hits = keyword.search(index, parse_query("smith battery"), 1, match="all-first")
    assert hits == keyword.search(index, parse_query("smith battery"), 1)


def _has_every_word(paper, q: str) -> bool:
    text = f"{paper.title}\n{paper.abstract}"
    return set(stem_analyzer().analyze(q)) <= set(stem_analyzer().analyze(text))


def test_the_setting_reaches_keyword_search(corpus, settings, monkeypatch):
    """At the service's depth (1,000) the 145-paper corpus never has enough papers with every
    word, so a shallow depth shows the setting applied to page, API and CLI searches."""
    monkeypatch.setattr(service, "MATCH_DEPTH", 5)
    query = service.SearchQuery(q="image editing", mode="keyword", limit=5)
    settings.SEARCH_KEYWORD_MATCH = "any"
    anywhere = service.search(query).hits
    assert not all(_has_every_word(h.paper, query.q) for h in anywhere)  # the premise
    settings.SEARCH_KEYWORD_MATCH = "all-first"
    every = service.search(query).hits
    assert len(every) == 5
    assert all(_has_every_word(h.paper, query.q) for h in every)


def test_the_default_is_all_first():
    from django.conf import settings

    assert settings.SEARCH_KEYWORD_MATCH == "all-first"


def test_small_corpora_rank_the_same_either_way(corpus, settings):
    query = service.SearchQuery(q="image editing", mode="hybrid")
    settings.SEARCH_KEYWORD_MATCH = "any"
    before = [h.paper.pk for h in service.search(query).hits]
    settings.SEARCH_KEYWORD_MATCH = "all-first"
    assert [h.paper.pk for h in service.search(query).hits] == before
