"""The paper page: content, old and new ids, versioned ids redirecting to the bare id."""

from __future__ import annotations

import pytest

from tests.factories import make_entry, make_org, make_paper, make_user

pytestmark = pytest.mark.django_db


def test_paper_page_shows_everything_we_know(client):
    org = make_org("deepmind", "Google DeepMind")
    paper = make_paper(
        arxiv_id="2503.04567",
        title="Learning to Plan",
        abstract="A full abstract that is not truncated. " * 30 + "THE-END.",
        authors=("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"),
        organization=org,
        github_repo="https://github.com/deepmind/plan",
        github_stars=87,
        project_page="https://plan.example.org",
        ai_summary="Planning helps agents.",
        ai_keywords=["planning", "agents"],
        upvotes=12,
    )
    make_entry(
        paper,
        "2025-03-12",
        submitter_name="akhaliq",
        submitter_fullname="AK",
        submitter_comment="A neat idea!",
    )
    response = client.get("/papers/2503.04567")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="paper-title" class="paper-title">Learning to Plan</h1>' in html
    assert "THE-END." in html  # the full abstract
    for slug in ("ada-lovelace", "alan-turing", "grace-hopper", "edsger-dijkstra"):
        assert f'href="/authors/{slug}"' in html
    assert 'href="/organizations/deepmind"' in html
    assert "View arXiv page" in html and "View PDF" in html
    assert 'href="https://github.com/deepmind/plan"' in html and ">87<" in html
    assert 'href="https://plan.example.org"' in html
    assert "AI-generated summary" in html and "Planning helps agents." in html
    assert '<li class="pill">planning</li>' in html
    assert 'href="/papers/date/2025-03-12"' in html
    assert "Submitted by AK" in html and "A neat idea!" in html


def test_paper_without_extras_omits_their_blocks(client):
    make_paper(arxiv_id="2503.00001", title="Bare paper", authors=())
    html = client.get("/papers/2503.00001").content.decode()
    assert "AI-generated summary" not in html
    assert "GitHub" not in html
    assert "Project page" not in html
    assert "Not featured on the daily feed yet." in html


def test_every_feed_appearance_is_listed(client):
    paper = make_paper(arxiv_id="2503.00002")
    make_entry(paper, "2025-03-12", submitted_by=make_user("curie"))
    make_entry(paper, "2025-03-20", submitter_name="someone")
    html = client.get("/papers/2503.00002").content.decode()
    assert 'href="/papers/date/2025-03-12"' in html
    assert 'href="/papers/date/2025-03-20"' in html
    assert '<a href="/users/curie">curie</a>' in html


def test_old_style_id(client):
    make_paper(arxiv_id="hep-th/9901001", title="Strings, old style")
    response = client.get("/papers/hep-th/9901001")
    assert response.status_code == 200
    assert b"Strings, old style" in response.content
    assert b'href="https://arxiv.org/abs/hep-th/9901001"' in response.content


def test_old_style_id_with_subject_class(client):
    make_paper(arxiv_id="math.GT/0309136", title="Knots")
    assert client.get("/papers/math.GT/0309136").status_code == 200


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/papers/2503.04567v2", "/papers/2503.04567"),
        ("/papers/hep-th/9901001v3", "/papers/hep-th/9901001"),
        ("/papers/arXiv:2503.04567", "/papers/2503.04567"),
        ("/papers/2503.04567/", "/papers/2503.04567"),
    ],
)
def test_versioned_or_prefixed_ids_redirect_to_the_bare_id(client, path, target):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == target


def test_paper_page_links_are_canonical(client):
    make_paper(arxiv_id="2503.04567")
    html = client.get("/papers/2503.04567").content.decode()
    assert 'rel="canonical" href="http://127.0.0.1:8000/papers/2503.04567"' in html
