"""Previewing the next digest on the web, and the reasons a digest would be empty."""

from __future__ import annotations

import pytest
import time_machine

from digests.delivery import send_digests
from digests.tokens import make_token
from tests.digests.conftest import NOW, make_feed_papers, make_subscriber
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=True):
        yield


def test_public_preview_shows_the_trending_papers(client):
    papers = make_feed_papers(3)
    response = client.get("/digests/preview?size=2")
    assert response.status_code == 200
    body = response.content.decode()
    assert papers[0].title in body and papers[1].title in body
    assert papers[2].title not in body
    assert "Wednesday, January 8, 2025" in body


def test_preview_explains_an_empty_day(client):
    response = client.get("/digests/preview")
    assert response.status_code == 200
    assert b"No paper has trended in the last day yet" in response.content


def test_preview_rejects_bad_options(client):
    response = client.get("/digests/preview?frequency=hourly")
    assert response.status_code == 400
    assert b"daily or a weekly" in response.content
    assert client.get("/digests/preview?size=abc").status_code == 400


def test_subscriber_preview_leaves_out_papers_already_sent(client, smtp):
    papers = make_feed_papers(2)
    subscription = make_subscriber("ada@example.org", size=1)
    path = f"/digests/manage/{make_token(subscription, 'manage')}/preview"
    assert papers[0].title in client.get(path).content.decode()
    send_digests("daily", NOW)
    body = client.get(path).content.decode()
    assert papers[1].title in body and papers[0].title not in body
    send_digests("daily", NOW.replace(day=9))
    body = client.get(path).content.decode()
    assert "already received all 2 papers" in body


def test_logged_in_subscriber_sees_their_own_preview(client):
    make_feed_papers(2)
    user = make_user("ada")
    # Only punctuation: search finds nothing relevant, so no trending paper matches.
    make_subscriber("ada@example.org", user=user, topic="?!")
    client.force_login(user)
    body = client.get("/digests/preview").content.decode()
    assert "None of the 2 papers trending in the last day matches your topic" in body
