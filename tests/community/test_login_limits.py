"""One sign-in limiter for the site login, the admin login and ``authenticate()``: per account
and per client address, and a locked account refuses even the right password."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.test import Client

from community.authentication import RateLimitedModelBackend
from tests.community.conftest import NOW, PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _login_limit(settings, frozen) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": (LIMIT, 900)}


@pytest.fixture
def staff(db):
    return make_user("boss", is_staff=True, is_superuser=True)


def client_from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def admin_login(client: Client, username: str, password: str):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
    )


def site_login(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_admin_login_is_rate_limited_and_refuses_the_right_password(staff):
    client = client_from("203.0.113.7")
    answers = [admin_login(client, "boss", f"guess{i}").status_code for i in range(25)]
    assert answers[:LIMIT] == [200] * LIMIT  # the form again, with "wrong password"
    assert set(answers[LIMIT:]) == {429}
    right = admin_login(client, "boss", PASSWORD)
    assert right.status_code == 429
    assert "Too many login requests" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_on_the_site_form_lock_the_admin_form_for_that_account(staff):
    for i in range(LIMIT):
        assert site_login(client_from(f"198.51.100.{i}"), "boss", "nope").status_code == 200
    # Another address, the other form, the right password: the account is locked.
    elsewhere = client_from("192.0.2.99")
    assert admin_login(elsewhere, "boss", PASSWORD).status_code == 429
    assert site_login(elsewhere, "BOSS", PASSWORD).status_code == 429  # case-folded
    assert "_auth_user_id" not in elsewhere.session


def test_one_address_is_limited_across_accounts(staff):
    client = client_from("203.0.113.8")
    for i in range(LIMIT):
        site_login(client, f"nobody{i}", "nope")
    assert admin_login(client, "boss", PASSWORD).status_code == 429
    # The account itself is not locked: from another address it signs in.
    other = client_from("203.0.113.9")
    assert admin_login(other, "boss", PASSWORD).status_code == 302
    assert other.session["_auth_user_id"] == str(staff.pk)


def test_the_backend_refuses_a_locked_account_whoever_calls_it(staff):
    for _ in range(LIMIT):
        assert authenticate(username="boss", password="nope") is None
    assert authenticate(username="boss", password=PASSWORD) is None
    with pytest.raises(PermissionDenied):
        RateLimitedModelBackend().authenticate(None, username="boss", password=PASSWORD)


def test_the_lock_ends_with_the_window(staff, time_machine):
    client = client_from("203.0.113.10")
    for _ in range(LIMIT):
        site_login(client, "boss", "nope")
    assert site_login(client, "boss", PASSWORD).status_code == 429
    time_machine.move_to(NOW + dt.timedelta(minutes=15), tick=False)
    assert site_login(client, "boss", PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count(staff):
    client = client_from("203.0.113.11")
    for _ in range(LIMIT + 2):
        assert site_login(client, "boss", PASSWORD).status_code == 302
        client.logout()
