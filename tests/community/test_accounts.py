"""Accounts: sign up, log in/out, password reset without user enumeration, profiles."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

import dailypapers.settings as project_settings
from community import services
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "newbie",
    "email": "newbie@example.org",
    "password1": "a-long-enough-passphrase",
    "password2": "a-long-enough-passphrase",
}


def test_scrypt_is_the_first_hasher_in_settings():
    assert project_settings.PASSWORD_HASHERS[0].endswith("ScryptPasswordHasher")


def test_signup_logs_in_hashes_with_scrypt_and_returns_to_next(client, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    response = client.post("/accounts/signup/?next=/papers/trending", SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == "/papers/trending"
    user = User.objects.get(username="newbie")
    assert user.password.startswith("scrypt$")
    assert client.get("/users/newbie").context["user"] == user


def test_signup_form_renders(client):
    html = client.get("/accounts/signup/").content.decode()
    assert 'name="username"' in html and 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password2": "something-else-entirely"}, "password fields didn"),
        ({"username": "x" * 151}, "at most 150 characters"),
        ({"username": "bad name!"}, "Enter a valid username"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"password1": "123", "password2": "123"}, "too short"),
        ({"display_name": "y" * 151}, "at most 150 characters"),
    ],
)
def test_signup_errors_are_explained(client, change, message):
    response = client.post("/accounts/signup/", {**SIGNUP, **change})
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.filter(email="newbie@example.org").exists()


def test_taken_username(client):
    make_user("newbie")
    response = client.post("/accounts/signup/", SIGNUP)
    assert "A user with that username already exists" in response.content.decode()


def test_display_name_with_markup_is_inert(client, paper):
    client.post(
        "/accounts/signup/", {**SIGNUP, "display_name": '<script>alert("x")</script><b>Eve</b>'}
    )
    user = User.objects.get(username="newbie")
    services.add_comment(user, paper, "hi")
    for url in ("/users/newbie", paper.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html


def test_login_and_logout(client, owner):
    page = client.get("/accounts/login/?next=/papers/submit").content.decode()
    assert 'value="/papers/submit"' in page
    response = client.post(
        "/accounts/login/",
        {"username": "owner", "password": "correct-horse-battery", "next": "/papers/submit"},
    )
    assert response["Location"] == "/papers/submit"
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/papers/submit").status_code == 302  # logged out again


def test_wrong_password_is_refused(client, owner):
    response = client.post("/accounts/login/", {"username": "owner", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_password_reset_does_not_reveal_accounts(client, owner):
    services.mark_email_verified(owner)
    known = client.post("/accounts/password_reset/", {"email": "owner@example.org"})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@example.org"]
    page = client.get("/accounts/password_reset/done/").content.decode()
    assert "If an account uses that address" in page


def test_password_reset_link_sets_a_new_password(client, owner):
    services.mark_email_verified(owner)
    client.post("/accounts/password_reset/", {"email": "owner@example.org"})
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "brand-new-passphrase-42"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == "/accounts/reset/done/"
    owner.refresh_from_db()
    assert owner.check_password(new)


def test_profile_404_for_unknown_user(client, db):
    assert client.get("/users/ghost").status_code == 404


def test_profile_shows_submissions_comments_and_claims(client, owner, paper):
    entry = paper.daily_entries.get()
    entry.submitted_by = owner
    entry.save()
    services.add_comment(owner, paper, "my *thoughts*")
    html = client.get("/users/owner").content.decode()
    assert "Submitted papers" in html and paper.title in html
    assert "my *thoughts*" in html


def test_own_profile_links_to_digest_and_token_settings(client, owner, other):
    client.force_login(owner)
    own = client.get("/users/owner").content.decode()
    assert 'href="/digests/manage"' in own and 'href="/settings/tokens"' in own
    theirs = client.get(f"/users/{other.username}").content.decode()
    assert 'href="/settings/tokens"' not in theirs
