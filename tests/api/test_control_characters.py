"""Control characters sent by visitors and users never fail a feed and are never stored."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from django.utils import timezone

from community.models import Collection, Comment
from digests.models import Subscription
from tests.factories import make_paper, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def paper():
    return make_paper(arxiv_id="2502.04507", published_at=timezone.now() - dt.timedelta(days=1))


@pytest.mark.parametrize("q", ["%00", "%01", "%0b", "%00%01%0B"])
def test_search_feed_with_only_control_characters_is_a_clear_400(client, q):
    response = client.get(f"/feeds/search.xml?q={q}")
    assert response.status_code == 400
    assert b"Add a search query" in response.content


def test_search_feed_with_control_characters_in_a_query_is_valid_xml(client):
    response = client.get("/feeds/search.xml?q=robust%00%0bparsing")
    assert response.status_code == 200
    assert feedparser.parse(response.content).bozo == 0
    assert b"\x00" not in response.content and b"\x0b" not in response.content


@pytest.mark.parametrize("path", ["/papers/search?q=%00%01", "/api/papers/search?q=%00x%0b"])
def test_search_page_and_api_survive_control_characters(client, path):
    assert client.get(path).status_code in (200, 400)


def test_collection_named_with_control_characters_is_stored_clean_and_its_feed_works(
    token_client, client
):
    created = token_client.post(
        "/api/collections",
        {"name": "empty\u0002coll", "isPublic": True},
        content_type="application/json",
    )
    assert created.status_code == 201
    collection = Collection.objects.get(pk=created.json()["id"])
    assert collection.name == "emptycoll"
    token_client.post(
        f"/api/collections/{collection.pk}/papers",
        {"arxivId": "2502.04507"},
        content_type="application/json",
    )
    response = client.get(f"/feeds/collections/{collection.pk}.xml")
    assert response.status_code == 200
    assert feedparser.parse(response.content).bozo == 0


def test_a_stored_control_character_does_not_fail_a_feed(alice, client):
    """Rows written before input was cleaned (or by hand) still give a valid feed."""
    collection = Collection.objects.create(owner=alice, name="old\x02name", is_public=True)
    response = client.get(f"/feeds/collections/{collection.pk}.xml")
    assert response.status_code == 200
    assert feedparser.parse(response.content).bozo == 0


def test_a_collection_name_of_only_control_characters_is_refused(token_client):
    response = token_client.post(
        "/api/collections", {"name": "\x00\x02"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert not Collection.objects.exists()


def test_comment_with_nul_is_stored_without_it(token_client):
    response = token_client.post(
        "/api/papers/2502.04507/comments",
        {"body": "Nice\x00 work\x1b[2J"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Comment.objects.get().body == "Nice work[2J"


def test_comment_form_strips_control_characters(client):
    user = make_user("carol")
    client.force_login(user)
    client.post("/papers/2502.04507/comments", {"body": "Form\x07 comment\x0b"})
    assert Comment.objects.get().body == "Form comment"


def test_subscription_topic_loses_control_characters(token_client):
    response = token_client.post(
        "/api/subscriptions",
        {"email": "reader@example.org", "topic": "graph\x00 neural\x0c nets"},
        content_type="application/json",
    )
    assert response.status_code in (201, 202), response.content
    assert Subscription.objects.get().topic == "graph neural nets"
