"""Upvotes: toggle, exact counts, htmx partial, anonymous redirect, no per-card queries."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from community import services
from community.models import Vote
from tests.community.conftest import HTMX
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def upvote_url(paper) -> str:
    return reverse("community:upvote", args=[paper.arxiv_id])


def test_vote_toggles_and_counts_imported_plus_local(owner_client, owner, paper, frozen):
    owner_client.post(upvote_url(paper))
    paper.refresh_from_db()
    assert paper.upvotes == 4  # 3 imported + 1 local
    assert Vote.objects.get(user=owner, paper=paper).created_at == frozen

    owner_client.post(upvote_url(paper))
    paper.refresh_from_db()
    assert paper.upvotes == 3
    assert not Vote.objects.filter(user=owner).exists()


def test_explicit_state_is_idempotent(owner_client, paper):
    for _ in range(3):
        owner_client.post(upvote_url(paper), {"vote": "1"})
    paper.refresh_from_db()
    assert paper.upvotes == 4
    owner_client.post(upvote_url(paper), {"vote": "0"})
    owner_client.post(upvote_url(paper), {"vote": "0"})
    paper.refresh_from_db()
    assert paper.upvotes == 3


def test_htmx_vote_returns_button_with_new_count(owner_client, paper):
    response = owner_client.post(upvote_url(paper), {"vote": "1"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="upvote-count">4</span>' in html
    assert 'aria-pressed="true"' in html
    assert 'name="vote" value="0"' in html  # the next click removes the vote


def test_plain_post_redirects_back_to_next(owner_client, paper):
    response = owner_client.post(upvote_url(paper), {"vote": "1", "next": "/papers?page=2"})
    assert response.status_code == 302
    assert response["Location"] == "/papers?page=2"


def test_next_to_another_site_is_ignored(owner_client, paper):
    response = owner_client.post(upvote_url(paper), {"next": "https://evil.example/"})
    assert response["Location"] == paper.get_absolute_url()


def test_anonymous_is_sent_to_login_and_back(anonymous, paper):
    response = anonymous.post(upvote_url(paper), {"next": "/papers/date/2025-01-08"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fpapers%2Fdate%2F2025-01-08"
    assert not Vote.objects.exists()


def test_anonymous_htmx_gets_hx_redirect(anonymous, paper):
    response = anonymous.post(upvote_url(paper), **HTMX)
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


def test_unknown_paper_is_404(owner_client, db):
    assert owner_client.post("/papers/2501.99999/upvote").status_code == 404


def test_get_is_not_allowed(owner_client, paper):
    assert owner_client.get(upvote_url(paper)).status_code == 405


def test_anonymous_button_links_to_login_with_next(paper):
    request = RequestFactory().get("/papers?x=1")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    html = Template("{% load community_tags %}{% upvote_button paper %}").render(
        Context({"request": request, "paper": paper})
    )
    assert 'href="/accounts/login/?next=/papers%3Fx%3D1"' in html
    assert '<span class="upvote-count">3</span>' in html


def test_upvote_buttons_on_many_cards_cost_one_query(owner, paper, django_assert_num_queries):
    papers = [paper] + [make_paper() for _ in range(20)]
    services.set_vote(owner, papers[5].pk, True)
    request = RequestFactory().get("/papers")
    request.user = owner
    template = Template(
        "{% load community_tags %}{% for p in papers %}{% upvote_button p %}{% endfor %}"
    )
    with django_assert_num_queries(1):
        html = template.render(Context({"request": request, "papers": papers}))
    assert html.count('aria-pressed="true"') == 1
    assert html.count('aria-pressed="false"') == 20


def test_profile_lists_upvoted_papers(owner_client, owner, paper):
    services.set_vote(owner, paper.pk, True)
    response = owner_client.get("/users/owner")
    assert paper.title in response.content.decode()
