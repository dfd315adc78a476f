"""The library through the JSON API with a personal token: import, library, export,
notes CRUD and the data export, all listed in the OpenAPI document behind /api/docs."""

from __future__ import annotations

import pytest
from django.test import Client

from api.services import create_token
from community import services as community
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(papers):
    user = make_user("scripted")
    _, secret = create_token(user, "bot")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_import_bibtex_and_ids_through_the_api(client: Client, auth, fixtures_dir):
    content = (fixtures_dir / "library" / "zotero.bib").read_text()
    response = client.post(
        "/api/library/import", {"content": content}, content_type="application/json", **auth
    )
    assert response.status_code == 200
    body = response.json()
    assert len(body["added"]) == 5 and body["collection"].startswith("scripted/library-")
    problems = {p["entry"]: p["message"] for p in body["problems"]}
    assert problems["nothing"] == "It has no arXiv id, DOI or title to match."
    again = client.post(
        "/api/library/import",
        {"ids": ["1706.03762", "nonsense"]},
        content_type="application/json",
        **auth,
    ).json()
    assert again["already"] == ["1706.03762"]
    assert again["problems"] == [
        {"entry": "nonsense", "message": "This is not an arXiv id or arXiv URL."}
    ]
    empty = client.post(
        "/api/library/import", {"content": " "}, content_type="application/json", **auth
    )
    assert empty.status_code == 400 and "empty" in empty.json()["error"]


def test_library_listing_and_exports(client: Client, auth):
    client.post(
        "/api/library/import", {"ids": ["2401.00002"]}, content_type="application/json", **auth
    )
    listed = client.get("/api/library", **auth).json()
    assert [p["id"] for p in listed] == ["2401.00002"] and listed[0]["note"] is None
    bib = client.get("/api/library/export", **auth)
    assert bib["Content-Type"].startswith("application/x-bibtex")
    assert "eprint = {2401.00002}" in bib.content.decode()
    csl = client.get("/api/library/export?format=csl-json", **auth).json()
    assert csl[0]["number"] == "arXiv:2401.00002"
    assert client.get("/api/library/export?format=ris", **auth).status_code in (400, 422)


def test_public_collection_export_without_a_token(client: Client, papers):
    owner = make_user()
    collection = community.create_collection(owner, "Open list", is_public=True)
    community.add_collection_item(owner, collection, papers["2401.00003"])
    response = client.get(f"/api/collections/{collection.pk}/export?format=csl-json")
    assert response.status_code == 200 and response.json()[0]["title"] == (
        "Retrieval for Long Contexts"
    )


def test_notes_crud(client: Client, auth):
    url = "/api/papers/2401.00005/note"
    assert client.get(url, **auth).status_code == 404
    put = client.put(url, {"body": "read §3"}, content_type="application/json", **auth)
    assert put.status_code == 200 and put.json()["body"] == "read §3"
    assert client.get(url, **auth).json()["title"] == "Graph Neural Networks: A Survey"
    client.put(url, {"body": "read §4"}, content_type="application/json", **auth)
    assert [n["body"] for n in client.get("/api/notes", **auth).json()] == ["read §4"]
    # The paper of a note is in the library.
    assert client.get("/api/library", **auth).json()[0]["note"] == "read §4"
    blank = client.put(url, {"body": "\x00"}, content_type="application/json", **auth)
    assert blank.status_code in (400, 422)
    assert client.delete(url, **auth).status_code == 204
    assert client.get("/api/notes", **auth).json() == []
    assert client.get("/api/papers/2499.99999/note", **auth).status_code == 404


def test_data_export_and_docs(client: Client, auth):
    data = client.get("/api/me/data", **auth).json()
    assert data["account"]["username"] == "scripted"
    assert data["apiTokens"][0]["name"] == "bot" and "prefix" not in data["apiTokens"][0]
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/library/import",
        "/api/library",
        "/api/library/export",
        "/api/notes",
        "/api/papers/{arxiv_id}/note",
        "/api/me/data",
        "/api/collections/{collection_id}/export",
    ):
        assert path in paths, path
