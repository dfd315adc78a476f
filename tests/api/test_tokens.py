"""Personal API tokens: the settings page, hashed storage, bearer auth and CSRF rules."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from api.models import ApiToken, hash_token
from api.services import create_token
from tests.factories import make_paper, make_user

pytestmark = pytest.mark.django_db

UPVOTE = "/api/papers/2502.04507/upvote"


@pytest.fixture(autouse=True)
def paper():
    return make_paper(arxiv_id="2502.04507")


def test_tokens_page_requires_login(client):
    response = client.get("/settings/tokens")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_creating_a_token_shows_the_secret_once_and_stores_only_its_hash(client, alice):
    client.force_login(alice)
    response = client.post("/settings/tokens", {"name": "laptop"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = re.search(r'id="new-token">([^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=alice)
    assert token.name == "laptop"
    assert token.token_hash == hash_token(secret) != secret
    assert secret.startswith(token.prefix)
    assert not ApiToken.objects.filter(token_hash__contains=secret).exists()
    listing = client.get("/settings/tokens").content.decode()
    assert "laptop" in listing and token.prefix in listing
    assert secret not in listing


def test_token_name_is_required(client, alice):
    client.force_login(alice)
    response = client.post("/settings/tokens", {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_a_token_from_the_page(client, alice, alice_token):
    client.force_login(alice)
    token = ApiToken.objects.get(user=alice)
    response = client.post(f"/settings/tokens/{token.pk}/revoke")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked
    api = Client(headers={"Authorization": f"Bearer {alice_token}"})
    assert api.post(UPVOTE).status_code == 401


def test_cannot_revoke_someone_elses_token(client, alice_token):
    client.force_login(make_user("mallory"))
    token = ApiToken.objects.get()
    client.post(f"/settings/tokens/{token.pk}/revoke")
    token.refresh_from_db()
    assert not token.is_revoked


def test_valid_token_works_without_csrf_and_records_use(token_client):
    response = token_client.post(UPVOTE)
    assert response.status_code == 200
    assert response.json() == {"id": "2502.04507", "upvotes": 1, "upvoted": True}
    assert ApiToken.objects.get().last_used_at is not None


def test_missing_auth_is_401_json(client):
    response = client.post(UPVOTE)
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer dp_wrong", "Bearer ", "Token abc", "Basic Zm9vOmJhcg=="]
)
def test_wrong_token_is_401_json(header):
    response = Client(headers={"Authorization": header}).post(UPVOTE)
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_revoked_token_is_401_with_reason(alice):
    token, secret = create_token(alice, "old")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at="2025-01-01T00:00Z")
    response = Client(headers={"Authorization": f"Bearer {secret}"}).post(UPVOTE)
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]


def test_token_of_disabled_account_is_refused(alice, alice_token):
    alice.is_active = False
    alice.save()
    response = Client(headers={"Authorization": f"Bearer {alice_token}"}).post(UPVOTE)
    assert response.status_code == 401


def test_a_wrong_token_is_not_rescued_by_a_session(alice):
    client = Client(headers={"Authorization": "Bearer dp_wrong"})
    client.force_login(alice)
    assert client.post(UPVOTE).status_code == 401


def test_session_post_without_csrf_is_403(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(UPVOTE)
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]


def test_session_post_with_csrf_token_is_accepted(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get("/settings/tokens")  # sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(UPVOTE, headers={"X-CSRFToken": csrf})
    assert response.status_code == 200


def test_whoami(token_client):
    response = token_client.get("/api/whoami-v2")
    assert response.status_code == 200
    assert response.json()["name"] == "alice"
