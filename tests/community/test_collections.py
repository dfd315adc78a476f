"""Collections: a default Reading list, named public/private collections, htmx widget."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community import services
from community.models import Collection, CollectionItem
from tests.community.conftest import HTMX
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def save(client, paper, headers=None, **data):
    url = reverse("community:paper_collections", args=[paper.arxiv_id])
    return client.post(url, data, **(headers or {}))


def test_first_save_creates_a_private_reading_list(owner_client, owner, paper):
    response = save(owner_client, paper, HTMX)
    assert response.status_code == 200
    assert "✓ Reading list" in response.content.decode()
    collection = Collection.objects.get(owner=owner)
    assert (collection.name, collection.is_public) == ("Reading list", False)
    assert list(collection.papers.all()) == [paper]


def test_remove_and_create_named_collection(owner_client, owner, paper):
    save(owner_client, paper)
    reading = Collection.objects.get(owner=owner)
    save(owner_client, paper, collection=reading.pk, action="remove")
    assert not CollectionItem.objects.exists()
    save(owner_client, paper, new_name="  Diffusion   models ", is_public="1")
    named = Collection.objects.get(name="Diffusion models")
    assert named.is_public and list(named.papers.all()) == [paper]


def test_duplicate_and_too_long_names_are_refused(owner_client, owner, paper):
    services.create_collection(owner, "Mine")
    response = save(owner_client, paper, HTMX, new_name="Mine")
    assert response.status_code == 400
    assert "already have a collection named" in response.content.decode()
    response = save(owner_client, paper, HTMX, new_name="x" * 101)
    assert response.status_code == 400
    assert "limited to 100 characters" in response.content.decode()


def test_cannot_add_to_someone_elses_collection(other_client, owner, paper):
    theirs = services.create_collection(owner, "Theirs", is_public=True)
    assert save(other_client, paper, collection=theirs.pk).status_code == 403
    assert not theirs.papers.exists()


def test_private_collection_is_404_for_others(owner, other_client, owner_client, anonymous, paper):
    private = services.add_to_collection(owner, paper)
    url = private.get_absolute_url()
    assert owner_client.get(url).status_code == 200
    assert other_client.get(url).status_code == 404
    assert anonymous.get(url).status_code == 404


def test_public_collection_page_lists_cards(owner, anonymous, paper):
    public = services.create_collection(owner, "Best of January", is_public=True)
    second = make_paper(title="Second one")
    services.add_to_collection(owner, paper, public)
    services.add_to_collection(owner, second, public)
    html = anonymous.get(public.get_absolute_url()).content.decode()
    assert "Best of January" in html
    assert html.index("Second one") < html.index(paper.title)  # most recent first


def test_profile_lists_public_collections_to_others_and_all_to_owner(
    owner, owner_client, other_client
):
    services.create_collection(owner, "Public picks", is_public=True)
    services.create_collection(owner, "Secret stash")
    mine = owner_client.get("/users/owner").content.decode()
    theirs = other_client.get("/users/owner").content.decode()
    assert "Public picks" in mine and "Secret stash" in mine
    assert "Public picks" in theirs and "Secret stash" not in theirs


def test_owner_renames_makes_public_and_deletes(owner, owner_client, other_client):
    collection = services.create_collection(owner, "Old name")
    url = reverse("community:collection_update", args=[collection.pk])
    assert other_client.post(url, {"name": "Hijack"}).status_code == 403
    owner_client.post(url, {"name": "New name", "is_public": "on"})
    collection.refresh_from_db()
    assert (collection.name, collection.is_public) == ("New name", True)
    owner_client.post(url, {"action": "delete"})
    assert not Collection.objects.exists()


def test_anonymous_save_goes_to_login(anonymous, paper):
    response = save(anonymous, paper)
    assert response["Location"].startswith("/accounts/login/?next=")
