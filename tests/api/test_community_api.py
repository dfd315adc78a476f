"""Votes, comments, submissions, collections and subscriptions through the API (token auth)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from api.services import create_token
from tests.factories import make_paper, make_user

pytestmark = pytest.mark.django_db


class ArxivDown(Exception):
    pass


@pytest.fixture(autouse=True)
def paper():
    return make_paper(arxiv_id="2502.04507", published_at=timezone.now() - dt.timedelta(days=1))


@pytest.fixture
def arxiv_down(monkeypatch):
    def fetch(ids):
        raise ArxivDown("arXiv API timed out")

    monkeypatch.setattr("community.services._arxiv_fetcher", lambda **_: (fetch, ArxivDown))


def other_client(name: str = "bob") -> Client:
    return Client(headers={"Authorization": f"Bearer {create_token(make_user(name), 't')[1]}"})


def test_upvote_is_idempotent_and_can_be_withdrawn(token_client, client):
    assert token_client.post("/api/papers/2502.04507/upvote").json()["upvotes"] == 1
    assert token_client.post("/api/papers/2502.04507/upvote").json()["upvotes"] == 1
    assert client.get("/api/papers/2502.04507").json()["upvotes"] == 1
    withdrawn = token_client.delete("/api/papers/2502.04507/upvote").json()
    assert withdrawn == {"id": "2502.04507", "upvotes": 0, "upvoted": False}


def test_upvote_unknown_paper_is_404(token_client):
    assert token_client.post("/api/papers/2502.99999/upvote").status_code == 404


def test_comment_and_reply_then_list(token_client, client):
    created = token_client.post(
        "/api/papers/2502.04507/comments",
        {"body": "Nice **work**"},
        content_type="application/json",
    )
    assert created.status_code == 201
    top = created.json()
    assert top["author"]["name"] == "alice"
    assert "<strong>work</strong>" in top["bodyHtml"]
    reply = other_client().post(
        "/api/papers/2502.04507/comments",
        {"body": "Agreed", "parentId": top["id"]},
        content_type="application/json",
    )
    assert reply.status_code == 201
    listing = client.get("/api/papers/2502.04507/comments").json()
    assert [c["body"] for c in listing] == ["Nice **work**"]
    assert [r["body"] for r in listing[0]["replies"]] == ["Agreed"]
    assert client.get("/api/papers/2502.04507").json()["upvotes"] == 0
    assert client.get("/api/daily_papers").status_code == 200


@pytest.mark.parametrize(
    ("body", "fragment"),
    [({"body": "   "}, "empty"), ({}, "'body'"), ({"body": "x", "parentId": 999}, "no comment")],
)
def test_bad_comments_are_400(token_client, body, fragment):
    response = token_client.post(
        "/api/papers/2502.04507/comments", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert fragment in response.json()["error"]


def test_malformed_json_body_is_400(token_client):
    response = token_client.post(
        "/api/papers/2502.04507/comments", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "error" in response.json()


def test_submit_known_paper_puts_it_on_todays_feed(token_client, client):
    response = token_client.post(
        "/api/papers/submit",
        {"arxivId": "https://arxiv.org/abs/2502.04507v2"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "added"
    assert body["paper"]["submittedOnDailyBy"]["user"] == "alice"
    today = timezone.localdate().isoformat()
    feed = client.get(f"/api/daily_papers?date={today}").json()
    assert [item["paper"]["id"] for item in feed] == ["2502.04507"]
    assert feed[0]["submittedBy"]["name"] == "alice"


def test_submit_when_arxiv_is_down_is_queued(token_client, arxiv_down):
    response = token_client.post(
        "/api/papers/submit", {"arxivId": "2502.11111"}, content_type="application/json"
    )
    assert response.status_code == 202
    assert response.json()["status"] == "queued"


def test_submit_rejects_non_ids(token_client):
    response = token_client.post(
        "/api/papers/submit", {"arxivId": "hello"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "not an arXiv id" in response.json()["error"]


def test_collections_lifecycle(token_client, client):
    created = token_client.post(
        "/api/collections", {"name": "Video", "isPublic": True}, content_type="application/json"
    )
    assert created.status_code == 201
    cid = created.json()["id"]
    added = token_client.post(
        f"/api/collections/{cid}/papers",
        {"arxivId": "2502.04507"},
        content_type="application/json",
    )
    assert added.json()["numPapers"] == 1
    public = client.get(f"/api/collections/{cid}").json()
    assert [p["id"] for p in public["papers"]] == ["2502.04507"]
    assert [c["name"] for c in token_client.get("/api/collections").json()] == ["Video"]
    removed = token_client.delete(f"/api/collections/{cid}/papers/2502.04507")
    assert removed.json()["numPapers"] == 0
    assert token_client.delete(f"/api/collections/{cid}").json() == {"ok": True}
    assert client.get(f"/api/collections/{cid}").status_code == 404


def test_private_collections_are_invisible_to_others(token_client, client):
    cid = token_client.post(
        "/api/collections", {"name": "Secret"}, content_type="application/json"
    ).json()["id"]
    assert client.get(f"/api/collections/{cid}").status_code == 404
    assert token_client.get(f"/api/collections/{cid}").status_code == 200
    intruder = other_client("eve")
    response = intruder.post(
        f"/api/collections/{cid}/papers",
        {"arxivId": "2502.04507"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_duplicate_collection_name_is_409_with_the_existing_slug(token_client):
    """HF's answer to an existing title: 409 naming the collection (the client's exists_ok)."""
    first = token_client.post("/api/collections", {"name": "A"}, content_type="application/json")
    again = token_client.post("/api/collections", {"name": "A"}, content_type="application/json")
    assert again.status_code == 409
    assert "already have" in again.json()["error"]
    assert again.json()["slug"] == first.json()["slug"] == f"alice/a-{first.json()['id']}"


def test_old_collection_urls_redirect_to_the_slug_url(token_client, client):
    created = token_client.post(
        "/api/collections",
        {"name": "Best of May", "isPublic": True},
        content_type="application/json",
    ).json()
    slug_url = f"/collections/alice/best-of-may-{created['id']}"
    assert created["url"].endswith(slug_url)
    old = client.get(f"/collections/{created['id']}")
    assert (old.status_code, old["Location"]) == (301, slug_url)
    renamed = client.get(f"/collections/alice/old-title-{created['id']}")
    assert (renamed.status_code, renamed["Location"]) == (301, slug_url)
    assert client.get(slug_url).status_code == 200
    assert client.get(f"/collections/bob/best-of-may-{created['id']}").status_code == 301
    private = token_client.post(
        "/api/collections", {"name": "Secret"}, content_type="application/json"
    ).json()
    assert client.get(f"/collections/{private['id']}").status_code == 404


def test_the_account_address_is_used_only_once_verified(token_client, alice):
    refused = token_client.post("/api/subscriptions", {}, content_type="application/json")
    assert refused.status_code == 400
    assert "alice@example.org is not verified yet" in refused.json()["error"]
    assert mail.outbox == []


def test_subscribing_sends_a_confirmation_and_links_nothing_yet(token_client, alice):
    from community.services import mark_email_verified

    mark_email_verified(alice)
    created = token_client.post(
        "/api/subscriptions",
        {"frequency": "weekly", "size": 5, "topic": "diffusion"},
        content_type="application/json",
    )
    assert created.status_code == 202
    assert created.json()["email"] == "alice@example.org"
    assert len(mail.outbox) == 1  # double opt-in
    assert token_client.get("/api/subscriptions").json() == []  # linked only via the link


def test_manage_a_linked_subscription(token_client, alice):
    from digests.models import Subscription
    from digests.services import confirm, link_user

    subscription = Subscription.objects.create(email="alice@example.org", frequency="weekly")
    confirm(subscription)
    link_user(subscription, alice)
    listed = token_client.get("/api/subscriptions").json()
    assert [s["id"] for s in listed] == [subscription.pk]
    assert listed[0]["active"] is True
    updated = token_client.patch(
        f"/api/subscriptions/{subscription.pk}", {"size": 7}, content_type="application/json"
    )
    assert updated.json()["size"] == 7
    assert updated.json()["frequency"] == "weekly"
    gone = token_client.delete(f"/api/subscriptions/{subscription.pk}")
    assert gone.json()["active"] is False
    assert other_client("eve").delete(f"/api/subscriptions/{subscription.pk}").status_code == 404


def test_subscription_options_are_validated(token_client):
    response = token_client.post(
        "/api/subscriptions", {"frequency": "hourly"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "daily or a weekly" in response.json()["error"]
