"""Unsubscribing from a received digest: RFC 8058 one-click POST and the link in the mail."""

from __future__ import annotations

import re

import pytest
import time_machine

from digests.delivery import send_digests
from digests.models import Subscription
from tests.digests.conftest import NOW, SITE, make_feed_papers, make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(smtp):
    """Ada's first digest, as her mail client received it."""
    make_feed_papers(3)
    make_subscriber("ada@example.org", size=1)
    with time_machine.travel(NOW, tick=True):
        send_digests("daily", NOW)
    [envelope] = smtp.to("ada@example.org")
    return envelope.message


def _local(url: str) -> str:
    assert url.startswith(SITE)
    return url[len(SITE) :]


def test_one_click_unsubscribe_from_the_header(client, smtp, received):
    header_url = re.search(r"<(https://[^>]+)>", received["List-Unsubscribe"]).group(1)
    # What Gmail & co. do (RFC 8058): a POST with this exact body, no cookies, no CSRF token.
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(
        _local(header_url),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert Subscription.objects.get().unsubscribed_at is not None

    with time_machine.travel(NOW, tick=True):
        report = send_digests("daily", NOW.replace(day=9))
    assert report.due == 0 and len(smtp.to("ada@example.org")) == 1


def test_unsubscribe_link_in_the_body(client, received):
    text = received.get_body(("plain",)).get_content()
    url = re.search(r"Unsubscribe \(one click, no login\): (\S+)", text).group(1)
    html = received.get_body(("html",)).get_content()
    assert url in html
    page = client.get(_local(url))  # a GET (or a link scanner) changes nothing
    assert page.status_code == 200 and b"Stop sending digests" in page.content
    assert Subscription.objects.get().unsubscribed_at is None
    response = client.post(_local(url))
    assert b"No more digests will be sent" in response.content
    assert Subscription.objects.get().unsubscribed_at is not None
    again = client.post(_local(url))
    assert again.status_code == 200 and b"already unsubscribed" in again.content


def test_resubscribe_from_the_manage_link(client, received):
    text = received.get_body(("plain",)).get_content()
    manage = re.search(rf"{SITE}(/digests/manage/\S+)", text).group(1)
    client.post(manage, {"action": "unsubscribe"})
    assert not Subscription.objects.get().is_active
    client.post(manage, {"action": "resubscribe"})
    assert Subscription.objects.get().is_active
