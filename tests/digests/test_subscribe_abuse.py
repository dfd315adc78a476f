"""Abuse of the subscribe form: mail-bombing (per-client and site-wide limits, web and API),
rewriting a stranger's pending subscription, and linking a subscription on a GET."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from api.services import create_token
from digests.models import Subscription
from digests.tokens import make_token
from tests.digests.conftest import NOW, make_subscriber
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)


def subscribe(client: Client, email: str, **options: str):
    return client.post("/digests/subscribe", {"email": email, **options})


def test_one_client_cannot_mail_bomb(client, smtp, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "digest_subscribe": (5, 3600)}
    answers = [subscribe(client, f"victim{i}@example.org").status_code for i in range(15)]
    assert answers == [200] * 5 + [429] * 10
    assert len(smtp.envelopes) == 5
    assert Subscription.objects.count() == 5
    refused = subscribe(client, "late@example.org")
    assert "Too many digest subscribe requests" in refused.content.decode()
    assert refused["Retry-After"].isdigit()


def test_confirmation_mails_are_limited_for_the_whole_site(smtp, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "digest_confirmation": (4, 3600)}
    answers = [
        subscribe(Client(REMOTE_ADDR=f"198.51.100.{i}"), f"v{i}@example.org").status_code
        for i in range(15)
    ]
    assert answers == [200] * 4 + [429] * 11
    assert len(smtp.envelopes) == 4
    # A refused request leaves nothing half done: no subscription waits for a mail never sent.
    assert Subscription.objects.count() == 4
    body = subscribe(Client(REMOTE_ADDR="192.0.2.1"), "x@example.org").content.decode()
    assert "too many confirmation emails" in body


def test_the_api_subscribe_endpoint_shares_the_client_limit(client, smtp, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "digest_subscribe": (2, 3600)}
    _, secret = create_token(make_user("ada"), "cli")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for i in range(2):
        response = api.post(
            "/api/subscriptions", {"email": f"a{i}@example.org"}, content_type="application/json"
        )
        assert response.status_code == 202
    refused = api.post(
        "/api/subscriptions", {"email": "a9@example.org"}, content_type="application/json"
    )
    assert refused.status_code == 429
    assert refused.json()["error"].startswith("Too many digest subscribe requests")
    assert subscribe(client, "web@example.org").status_code == 429  # same client, same bucket
    assert len(smtp.envelopes) == 2


def test_a_pending_subscription_keeps_its_options(client, smtp, time_machine):
    subscribe(client, "victim@example.org", frequency="daily", size="5", topic="robotics")
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    time_machine.move_to(NOW + dt.timedelta(minutes=10), tick=False)
    response = subscribe(
        attacker, "Victim@Example.org", frequency="weekly", size="30", topic="BUY CHEAP PILLS"
    )
    assert response.status_code == 200  # the same answer: nothing to learn from it
    subscription = Subscription.objects.get()
    assert (subscription.frequency, subscription.size, subscription.topic) == (
        "daily",
        5,
        "robotics",
    )
    # The confirmation may be sent again (after the resend window), never with new options.
    assert len(smtp.to("victim@example.org")) == 2
    # Its own link still changes them.
    path = f"/digests/manage/{make_token(subscription, 'manage')}"
    client.post(path, {"action": "save", "frequency": "weekly", "size": "7", "topic": "nlp"})
    subscription.refresh_from_db()
    assert (subscription.frequency, subscription.size, subscription.topic) == ("weekly", 7, "nlp")


def test_opening_a_manage_link_while_logged_in_links_nothing():
    subscription = make_subscriber("victim@example.org")
    path = f"/digests/manage/{make_token(subscription, 'manage')}"
    mallory = Client(enforce_csrf_checks=True)
    mallory.force_login(make_user("mallory"))
    page = mallory.get(path)
    assert page.status_code == 200
    assert b"Link it to mallory" in page.content
    assert Subscription.objects.get().user is None
    # A cross-site form post carries no CSRF token: refused.
    assert mallory.post(path, {"action": "link"}).status_code == 403
    assert Subscription.objects.get().user is None


def test_linking_is_an_explicit_post(client):
    subscription = make_subscriber("ada@example.org")
    path = f"/digests/manage/{make_token(subscription, 'manage')}"
    ada = make_user("ada", email="ada@example.org")
    client.force_login(ada)
    response = client.post(path, {"action": "link"})
    assert response.status_code == 302
    assert Subscription.objects.get().user == ada
    assert b"Link it to" not in client.get(path).content
