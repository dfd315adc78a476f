"""Errors under /api/ are JSON {"error": ...}; the OpenAPI schema and docs are served."""

from __future__ import annotations

import json

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


def _is_json_error(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    assert json.loads(response.content)["error"]


def test_a_body_over_the_upload_limit_is_a_json_413(token_client):
    body = '{"name": "' + "x" * 3_000_000 + '"}'
    response = token_client.post("/api/collections", body, content_type="application/json")
    _is_json_error(response, 413)
    assert "too large" in response.json()["error"]


def test_a_body_refused_while_read_is_a_json_413(rf):
    """A chunked body declares no length: Django refuses it only while reading it."""
    from django.core.exceptions import RequestDataTooBig

    from api.middleware import ApiJsonErrorsMiddleware

    middleware = ApiJsonErrorsMiddleware(lambda request: None)
    response = middleware.process_exception(rf.post("/api/collections"), RequestDataTooBig())
    _is_json_error(response, 413)
    assert middleware.process_exception(rf.post("/papers"), RequestDataTooBig()) is None


def test_an_unexpected_exception_under_api_is_a_json_500(monkeypatch):
    from django.test import Client

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("api.daily.feed_items", broken)
    response = Client(raise_request_exception=False).get("/api/daily_papers?date=2025-01-06")
    _is_json_error(response, 500)
    assert "boom" not in response.content.decode()


def test_a_csrf_refusal_under_api_is_json(alice):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post("/api/collections", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
