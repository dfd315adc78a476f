"""A NUL byte in a URL is a clear 400, never a 500 (PostgreSQL refuses NUL in a parameter)."""

from __future__ import annotations

import pytest

from community import services
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/users/a%00b", "/authors/a%00b", "/organizations/a%00b", "/feeds/organizations/a%00b.xml"],
)
def test_a_nul_in_the_path_is_a_clear_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert b"NUL character" in response.content


def test_a_nul_in_an_api_path_is_a_json_400(client):
    response = client.get("/api/collections/a%00b/reading-list-1")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "NUL character" in response.json()["error"]


@pytest.mark.parametrize(
    "query",
    ["/papers/search?q=x&org=a%00b", "/api/papers/search?q=x%00", "/api/daily_papers?date=2025%00"],
)
def test_a_nul_in_a_query_parameter_is_cleaned_or_refused(client, query):
    assert client.get(query).status_code in (200, 400)


def test_collection_filters_lose_control_characters(client):
    alice = make_user("alice")
    services.create_collection(alice, "Graph papers", is_public=True)
    listed = client.get("/api/collections?owner=ali%00ce").json()
    assert [c["title"] for c in listed] == ["Graph papers"]
    assert client.get("/api/collections?item=papers/2502.0%004507").status_code == 200
