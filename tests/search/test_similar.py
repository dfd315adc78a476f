"""Similar papers: nearest by embedding, never the paper itself; the template tag renders."""

from __future__ import annotations

from django.template import Context, Template

from search.service import similar_papers


def test_similar_papers_exclude_itself_and_are_related(corpus):
    paper = corpus["2503.16905"]  # MAPS: a multi-agent framework with Socratic guidance
    similar = similar_papers(paper, limit=5)
    assert len(similar) == 5
    ids = [card.pk for card in similar]
    assert paper.pk not in ids
    assert corpus["2503.16874"].pk in ids  # MARS, by the same group, same idea


def test_similar_papers_without_index_is_empty(db):
    from tests.factories import make_paper

    assert similar_papers(make_paper(), limit=5) == []


def test_tag_renders_a_list_of_links(corpus):
    paper = corpus["2503.16905"]
    html = Template("{% load search_tags %}{% similar_papers paper %}").render(
        Context({"paper": paper})
    )
    assert "Similar papers" in html
    assert corpus["2503.16874"].get_absolute_url() in html
    assert paper.get_absolute_url() not in html
