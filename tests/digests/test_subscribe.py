"""Subscribing: the box on the feed, double opt-in over real SMTP, bad input and bad links."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.template import Context, Template
from django.test import RequestFactory

from digests.models import Subscription
from digests.tokens import make_token
from tests.digests.conftest import NOW, SITE, make_subscriber
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _confirm_path(envelope) -> str:
    text = envelope.message.get_body(("plain",)).get_content()
    url = re.search(rf"{SITE}(/digests/confirm/\S+)", text)
    assert url, text
    return url.group(1)


def test_subscribe_box_renders_the_form(rf: RequestFactory):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/papers")
    request.user = AnonymousUser()
    html = Template("{% load digests_tags %}{% subscribe_box %}").render(
        Context({"request": request})
    )
    assert "Get trending papers in your email inbox" in html
    # A GET form without a per-visitor token (the feed page around it is cached whole).
    assert 'method="get" action="/digests/subscribe"' in html
    assert "csrfmiddlewaretoken" not in html
    assert ">Subscribe</button>" in html


def test_the_subscribe_box_opens_the_subscribe_form_filled_in(client):
    response = client.get("/digests/subscribe", {"email": "ada@example.org"})
    assert response.status_code == 200
    assert b'value="ada@example.org"' in response.content
    assert b"csrfmiddlewaretoken" in response.content  # the form that posts has its token


def test_subscribe_box_shows_a_subscribers_status(rf: RequestFactory):
    user = make_user("ada")
    make_subscriber("ada@example.org", user=user, frequency="weekly")
    request = rf.get("/papers")
    request.user = user
    html = Template("{% load digests_tags %}{% subscribe_box %}").render(
        Context({"request": request})
    )
    assert "You get the weekly digest" in html and "/digests/manage" in html


def test_double_opt_in(client, smtp):
    response = client.post("/digests/subscribe", {"email": " Ada@Example.org "})
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    subscription = Subscription.objects.get()
    assert subscription.email == "ada@example.org" and not subscription.confirmed

    [envelope] = smtp.to("ada@example.org")
    assert "Confirm" in envelope.message["Subject"]
    html = envelope.message.get_body(("html",)).get_content()
    path = _confirm_path(envelope)
    assert path in html

    # GET (what a mail scanner does) does not confirm; the button's POST does.
    assert client.get(path).status_code == 200
    assert not Subscription.objects.get().confirmed
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/digests/manage/")
    subscription.refresh_from_db()
    assert subscription.confirmed and subscription.is_active
    page = client.get(response["Location"])
    assert b"Subscribed: ada@example.org" in page.content


@pytest.mark.parametrize(
    "email, message",
    [
        ("", b"Enter your email address"),
        ("not-an-email", b"Enter a valid email address"),
        ("a@b", b"Enter a valid email address"),
        ("x" * 250 + "@example.org", b"too long"),
    ],
)
def test_bad_emails_get_a_clear_400(client, smtp, email, message):
    response = client.post("/digests/subscribe", {"email": email})
    assert response.status_code == 400
    assert message in response.content
    assert not Subscription.objects.exists() and smtp.envelopes == []


def test_bad_options_get_a_clear_400(client, smtp):
    response = client.post("/digests/subscribe", {"email": "a@example.org", "size": "500"})
    assert response.status_code == 400
    assert b"between 1 and 30" in response.content


def test_forged_token_is_400(client):
    subscription = make_subscriber("ada@example.org", confirmed=False)
    token = make_token(subscription, "confirm")
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for path in (
        f"/digests/confirm/{forged}",
        f"/digests/manage/{forged}",
        f"/digests/unsubscribe/{forged}",
        "/digests/confirm/garbage",
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert b"not valid" in response.content
    # A confirm token is no manage token (different salt).
    assert client.get(f"/digests/manage/{token}").status_code == 400


def test_expired_confirmation_is_410(client):
    subscription = make_subscriber("ada@example.org", confirmed=False)
    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), tick=False):
        token = make_token(subscription, "confirm")
    with time_machine.travel(dt.datetime(2025, 1, 5, tzinfo=dt.UTC), tick=False):
        response = client.post(f"/digests/confirm/{token}")
    assert response.status_code == 410
    assert b"expired" in response.content
    assert not Subscription.objects.get().confirmed


def test_revoked_link_is_410(client):
    subscription = make_subscriber("ada@example.org")
    token = make_token(subscription, "manage")
    Subscription.objects.filter(pk=subscription.pk).update(secret="rotated")
    response = client.get(f"/digests/manage/{token}")
    assert response.status_code == 410
    assert b"no longer valid" in response.content


def test_subscribe_form_cannot_change_someone_elses_subscription(client, smtp):
    make_subscriber("ada@example.org", frequency="weekly", size=3)
    response = client.post(
        "/digests/subscribe", {"email": "ada@example.org", "frequency": "daily", "size": "20"}
    )
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert (subscription.frequency, subscription.size) == ("weekly", 3)
    assert subscription.is_active


def test_confirmation_mails_are_throttled(client, smtp, time_machine):
    time_machine.move_to(NOW, tick=False)  # the resend window cannot pass between requests
    for _ in range(3):
        assert client.post("/digests/subscribe", {"email": "ada@example.org"}).status_code == 200
    assert len(smtp.to("ada@example.org")) == 1


def test_smtp_down_is_a_503_not_a_500(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9
    response = client.post("/digests/subscribe", {"email": "ada@example.org"})
    assert response.status_code == 503
    assert b"try again later" in response.content
    # The throttle is released so a retry sends the mail.
    assert Subscription.objects.get().confirmation_sent_at is None


def test_manage_with_the_signed_link(client):
    subscription = make_subscriber("ada@example.org")
    path = f"/digests/manage/{make_token(subscription, 'manage')}"
    response = client.post(
        path, {"action": "save", "frequency": "weekly", "size": "5", "topic": " diffusion  models "}
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.frequency, subscription.size, subscription.topic) == (
        "weekly",
        5,
        "diffusion models",
    )
    response = client.post(path, {"action": "save", "frequency": "hourly", "size": "5"})
    assert response.status_code == 400
    assert b"daily or a weekly" in response.content


def test_logged_in_user_manages_on_their_page(client, smtp):
    user = make_user("ada", email="ada@example.org")
    client.force_login(user)
    response = client.get("/digests/manage")
    assert response.status_code == 200
    assert b"Get trending papers in your email inbox" in response.content  # not subscribed yet
    client.post("/digests/subscribe", {"email": "ada@example.org"})
    assert Subscription.objects.get().user is None  # asking proves nothing
    client.post(_confirm_path(smtp.to("ada@example.org")[0]))  # opening the mail does
    assert Subscription.objects.get().user == user
    response = client.get("/digests/manage")
    assert b"ada@example.org" in response.content and b"Your email digest" in response.content


def test_an_account_email_alone_does_not_give_access(client):
    make_subscriber("victim@example.org")
    client.force_login(make_user("mallory", email="victim@example.org"))
    response = client.get("/digests/manage")
    assert b"Your email digest" not in response.content
    assert Subscription.objects.get().user is None


def test_the_feed_page_has_the_subscribe_box(client):
    response = client.get("/papers")
    assert response.status_code == 200
    assert b"Get trending papers in your email inbox" in response.content
    assert b'action="/digests/subscribe"' in response.content


def test_refused_address_is_a_clear_400(client, smtp):
    smtp.always["nobody@example.org"] = "550 5.1.1 Mailbox unknown"
    response = client.post("/digests/subscribe", {"email": "nobody@example.org"})
    assert response.status_code == 400
    assert b"refused this address" in response.content


def test_manage_requires_login(client):
    response = client.get("/digests/manage")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
