"""Errors under /api/ are JSON {"error": ...}; the OpenAPI schema and docs are served."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/nope", "/api/daily_papers/extra", "/api/foo/bar/baz"])
def test_unknown_api_paths_are_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "error" in response.json()


def test_wrong_method_is_json_405_with_allow(client):
    response = client.delete("/api/daily_papers")
    assert response.status_code == 405
    assert response.json()["error"].startswith("Method DELETE is not allowed")
    assert "GET" in response["Allow"]


def test_openapi_schema_lists_the_hf_endpoints(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/daily_papers" in paths
    assert "/api/papers/{arxiv_id}" in paths
    params = {p["name"] for p in paths["/api/daily_papers"]["get"]["parameters"]}
    assert params == {"date", "week", "month", "submitter", "sort", "p", "limit"}


def test_docs_page(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_search_is_not_taken_for_an_arxiv_id(client):
    response = client.get("/api/papers/search?q=attention")
    assert response.status_code == 200
    assert isinstance(response.json(), list)
