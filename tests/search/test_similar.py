"""Similar papers: nearest by embedding, never the paper itself; the template tag renders."""

from __future__ import annotations

from django.template import Context, Template

from search.service import similar_papers


def test_similar_papers_exclude_itself_and_are_related(corpus):
    paper = corpus["2503.16905"]  # MAPS: a multi-agent framework with Socratic guidance
    similar = similar_papers(paper, limit=5)
    ids = [card.arxiv_id for card in similar]
    assert len(ids) == 5
    assert paper.arxiv_id not in ids
    assert "2503.16874" in ids  # MARS, by the same group, same idea


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


def test_similar_papers_sort_by_recency_or_upvotes(corpus, client):
    paper = corpus["2503.16905"]
    closest = similar_papers(paper, limit=8)
    newest = similar_papers(paper, limit=8, sort="newest")
    upvoted = similar_papers(paper, limit=8, sort="upvotes")
    assert {c.pk for c in newest} == {c.pk for c in upvoted} == {c.pk for c in closest}
    assert [c.published_at for c in newest] == sorted(
        (c.published_at for c in closest), reverse=True
    )
    assert [c.upvotes for c in upvoted] == sorted((c.upvotes for c in closest), reverse=True)
    body = client.get(paper.get_absolute_url(), {"similar": "upvotes"}).content.decode()
    section = body[body.index('id="similar-title"') :]
    first, last = (f'href="{c.get_absolute_url()}"' for c in (upvoted[0], upvoted[-1]))
    assert section.index(first) < section.index(last)
    assert '<strong aria-current="true">Most upvoted</strong>' in body
    assert 'href="?similar=newest#similar-title"' in body
