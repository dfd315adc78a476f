"""Privacy: a library, its notes and a user's data are seen by their owner only."""

from __future__ import annotations

import pytest
from django.test import Client

from api.services import create_token
from community import services as community
from library import services
from library.models import PaperNote
from tests.factories import make_user

pytestmark = pytest.mark.django_db
SECRET_NOTE = "my secret thoughts on this paper"


@pytest.fixture
def owner(papers):
    user = make_user("owner")
    services.import_library(user, "1706.03762")
    services.save_note(user, papers["1706.03762"], SECRET_NOTE)
    return user


def test_notes_are_saved_edited_and_deleted_on_the_paper_page(client: Client, papers):
    user = make_user()
    client.force_login(user)
    paper = papers["2401.00002"]
    response = client.post("/papers/2401.00002/note", {"body": "first\x00 thought"})
    assert response.status_code == 302 and response["Location"] == "/papers/2401.00002#note"
    note = PaperNote.objects.get(user=user, paper=paper)
    assert note.body == "first thought"  # cleaned: no NUL
    assert "first thought" in client.get("/papers/2401.00002").content.decode()
    # A paper with a note is saved: it is in the library now.
    assert "first thought" in client.get("/library").content.decode()
    client.post("/papers/2401.00002/note", {"body": "second thought", "next": "library"})
    assert PaperNote.objects.get(user=user, paper=paper).body == "second thought"
    client.post("/papers/2401.00002/note", {"body": "   "})
    assert not PaperNote.objects.filter(user=user).exists()


def test_a_note_over_the_limit_is_refused_with_a_message(client: Client, papers):
    user = make_user()
    client.force_login(user)
    response = client.post("/papers/2401.00002/note", {"body": "x" * 10_001}, follow=True)
    assert "at most 10000 characters" in response.content.decode()
    assert not PaperNote.objects.exists()
    with pytest.raises(community.CommunityError, match="the maximum is 10000"):
        services.save_note(user, papers["2401.00002"], "y" * 10_001)


def test_another_user_sees_neither_the_library_nor_the_notes(client: Client, owner, papers):
    other = make_user("other")
    client.force_login(other)
    page = client.get("/papers/1706.03762").content.decode()
    assert SECRET_NOTE not in page
    library = client.get("/library").content.decode()
    assert "Attention Is All You Need" not in library and SECRET_NOTE not in library
    assert "Attention Is All You Need" not in client.get("/library/export.bib").content.decode()
    data = client.get("/settings/data/export.json").json()
    assert data["account"]["username"] == "other" and data["notes"] == []
    library_collection = owner.collections.get(name="Library")
    assert client.get(f"/collections/{library_collection.pk}/export.bib").status_code == 404
    assert client.get(library_collection.get_absolute_url()).status_code == 404
    client.logout()
    assert SECRET_NOTE not in client.get("/papers/1706.03762").content.decode()
    assert client.get("/library")["Location"].startswith("/accounts/login/")
    assert client.get("/settings/data/export.json").status_code == 302


def test_another_users_token_reads_only_its_own_library_and_notes(client: Client, owner):
    _, secret = create_token(make_user("other"), "script")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/library", **auth).json() == []
    assert client.get("/api/notes", **auth).json() == []
    assert client.get("/api/papers/1706.03762/note", **auth).status_code == 404
    assert client.delete("/api/papers/1706.03762/note", **auth).status_code == 404
    assert PaperNote.objects.filter(user=owner).count() == 1
    assert client.get("/api/me/data", **auth).json()["account"]["username"] == "other"
    library_collection = owner.collections.get(name="Library")
    url = f"/api/collections/{library_collection.pk}/export"
    assert client.get(url, **auth).status_code == 404
    assert client.get("/api/library").status_code == 401


def test_the_owner_sees_their_note_on_the_paper_page(client: Client, owner):
    client.force_login(owner)
    assert SECRET_NOTE in client.get("/papers/1706.03762").content.decode()
