"""CSRF on every form and htmx call, and rate limits answering 429 with a message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from community import services
from community.models import Comment, Vote
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def post_urls(paper, comment, claim, collection, entry) -> list[str]:
    return [
        "/accounts/signup/",
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/password_reset/",
        "/papers/submit",
        f"/papers/{paper.arxiv_id}/upvote",
        f"/papers/{paper.arxiv_id}/comments",
        f"/papers/{paper.arxiv_id}/claim",
        f"/papers/{paper.arxiv_id}/collections",
        f"/comments/{comment.pk}/edit",
        f"/comments/{comment.pk}/delete",
        f"/comments/{comment.pk}/hide",
        f"/claims/{claim.pk}/decide",
        f"/curate/entries/{entry.pk}",
        f"/collections/{collection.pk}/edit",
        "/users/other/ban",
    ]


def test_every_post_without_csrf_token_is_refused(owner, other, curator, paper):
    comment = services.add_comment(owner, paper, "hello")
    claim = services.claim_authorship(other, paper.authorships.first())
    collection = services.create_collection(owner, "Mine")
    entry = paper.daily_entries.get()
    for user in (owner, curator):
        client = csrf_client(user)
        for url in post_urls(paper, comment, claim, collection, entry):
            response = client.post(url, {"body": "x", "action": "hide", "decision": "approve"})
            assert response.status_code == 403, url
    comment.refresh_from_db()
    assert not comment.hidden and comment.deleted_at is None
    assert not Vote.objects.exists()


def test_htmx_vote_with_the_token_header_works(owner, paper):
    client = csrf_client(owner)
    page = client.get(paper.get_absolute_url())
    token = page.cookies["csrftoken"].value
    # site.js hands the cookie's token to htmx as X-CSRFToken (the page itself holds none).
    assert "dailypapers/site.js" in page.content.decode()
    assert "X-CSRFToken" in Path(finders.find("dailypapers/site.js")).read_text()
    url = reverse("community:upvote", args=[paper.arxiv_id])
    response = client.post(url, {"vote": "1"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert Vote.objects.filter(user=owner, paper=paper).exists()


def test_form_post_with_the_token_works(owner, paper):
    client = csrf_client(owner)
    page = client.get(paper.get_absolute_url()).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    url = reverse("community:comment_create", args=[paper.arxiv_id])
    client.post(url, {"body": "with token", "csrfmiddlewaretoken": token})
    assert Comment.objects.filter(body="with token").exists()


# --- rate limits ----------------------------------------------------------------------


@pytest.fixture
def tight_limits(settings, frozen):
    """Two requests a minute in every scope, on a clock that stands still (no window ends)."""
    settings.RATE_LIMITS = {
        scope: (2, 60) for scope in ("signup", "login", "password_reset", "submit", "vote")
    } | {"comment": (2, 60)}


def third_is_429(post) -> str:
    post()
    post()
    response = post()
    assert response.status_code == 429
    assert response["Retry-After"].isdigit()
    return response.content.decode()


def test_signup_rate_limit(client, tight_limits):
    body = third_is_429(lambda: client.post("/accounts/signup/", {"username": "x"}))
    assert "Too many signup requests: the limit is 2 per minute" in body


def test_login_rate_limit_per_ip(client, owner, tight_limits):
    def attempt():
        return client.post("/accounts/login/", {"username": "owner", "password": "guess"})

    assert "Too many login requests" in third_is_429(attempt)
    # even the right password is refused until the window passes
    right = client.post(
        "/accounts/login/", {"username": "owner", "password": "correct-horse-battery"}
    )
    assert right.status_code == 429


def test_vote_rate_limit_is_per_user(owner_client, other_client, paper, tight_limits):
    url = reverse("community:upvote", args=[paper.arxiv_id])
    body = third_is_429(lambda: owner_client.post(url, HTTP_HX_REQUEST="true"))
    assert "Too many vote requests" in body
    assert other_client.post(url).status_code == 302  # another user is not affected


def test_comment_rate_limit(owner_client, paper, tight_limits):
    url = reverse("community:comment_create", args=[paper.arxiv_id])
    third_is_429(lambda: owner_client.post(url, {"body": "spam"}))
    assert Comment.objects.count() == 2


def test_submit_rate_limit(owner_client, tight_limits, arxiv):
    make_paper("2501.01111")
    assert "Too many submit requests" in third_is_429(
        lambda: owner_client.post("/papers/submit", {"paper": "2501.01111"})
    )


def test_rate_limits_follow_the_settings(owner_client, paper, tight_limits, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": (5, 60)}
    url = reverse("community:upvote", args=[paper.arxiv_id])
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, 0, 10, tzinfo=dt.UTC), tick=False):
        statuses = [owner_client.post(url).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
