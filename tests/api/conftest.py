"""Fixtures for API tests: users with tokens, and a client that sends a bearer token."""

from __future__ import annotations

import pytest
from django.test import Client

from api.services import create_token
from tests.factories import make_user


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def alice_token(alice) -> str:
    return create_token(alice, "tests")[1]


@pytest.fixture
def token_client(alice_token) -> Client:
    """A client authenticated only by ``Authorization: Bearer`` (no session, no CSRF token)."""
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {alice_token}"})
