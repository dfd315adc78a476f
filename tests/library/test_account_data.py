"""A user's data: one JSON download of everything stored about them, and deleting the
account with its personal data (comments others replied to stay as anonymous placeholders)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from api.services import create_token
from community import services as community
from community.models import Collection, Comment, Vote
from digests.models import Subscription
from library import services
from library.models import PaperNote
from papers.models import DailyEntry, Paper
from tests.factories import make_entry, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture
def active(papers):
    """A user with something of every kind, and another user who replied to them."""
    user = make_user("leaving", email="leaving@example.org")
    paper = papers["1706.03762"]
    services.import_library(user, "1706.03762 2401.00002")
    services.save_note(user, paper, "private note")
    community.set_vote(user, paper.pk, True)
    thread = community.add_comment(user, paper, "A comment someone answers")
    community.add_comment(make_user("replier"), paper, "An answer", parent=thread)
    community.add_comment(user, paper, "A lonely comment")
    community.add_comment(user, paper, "My own reply", parent=thread)
    create_token(user, "laptop CLI")
    Subscription.objects.create(email="leaving@example.org", user=user, confirmed=True)
    make_entry(paper, "2024-01-02", submitted_by=user, submitter_comment="worth reading")
    return user


def test_the_data_export_holds_everything_but_secrets(client: Client, active):
    client.force_login(active)
    response = client.get("/settings/data/export.json")
    assert response["Content-Disposition"] == 'attachment; filename="dailypapers-leaving.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "leaving@example.org"
    assert [v["paper"] for v in data["votes"]] == ["1706.03762"]
    assert {c["body"] for c in data["comments"]} == {
        "A comment someone answers",
        "A lonely comment",
        "My own reply",
    }
    assert data["notes"][0]["body"] == "private note"
    library = next(c for c in data["collections"] if c["name"] == "Library")
    assert [i["paper"] for i in library["items"]] == ["1706.03762", "2401.00002"]
    assert data["submissions"][0]["comment"] == "worth reading"
    assert data["subscriptions"][0]["email"] == "leaving@example.org"
    assert data["apiTokens"] == [
        {"name": "laptop CLI", "createdAt": data["apiTokens"][0]["createdAt"],
         "lastUsedAt": None, "revokedAt": None}
    ]  # fmt: skip
    token = active.api_tokens.get()
    assert token.token_hash not in response.content.decode()
    assert token.prefix not in response.content.decode()


def test_deleting_needs_the_password_and_the_confirmation(client: Client, active):
    client.force_login(active)
    assert client.get("/settings/delete-account").status_code == 200
    wrong = client.post("/settings/delete-account", {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 400 and "That is not your password." in wrong.content.decode()
    unticked = client.post("/settings/delete-account", {"password": PASSWORD})
    assert unticked.status_code == 400
    assert get_user_model().objects.filter(username="leaving").exists()


def test_deleting_an_account_removes_its_personal_data(client: Client, active, papers):
    paper = papers["1706.03762"]
    assert Paper.objects.get(pk=paper.pk).upvotes == 1
    assert Paper.objects.get(pk=paper.pk).num_comments == 4
    client.force_login(active)
    response = client.post("/settings/delete-account", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(username="leaving").exists()
    assert "_auth_user_id" not in client.session  # logged out
    assert not Vote.objects.exists() and Paper.objects.get(pk=paper.pk).upvotes == 0
    assert not PaperNote.objects.exists() and not Collection.objects.exists()
    assert not Subscription.objects.exists()
    assert not active.api_tokens.exists()
    entry = DailyEntry.objects.get(paper=paper)
    assert (entry.submitted_by, entry.submitter_comment) == (None, "")
    # The comment someone replied to stays as an anonymous, empty placeholder; the rest went.
    placeholder = Comment.objects.get(parent__isnull=True)
    assert (placeholder.body, placeholder.author.username) == ("", "[deleted]")
    assert not placeholder.author.is_active and not placeholder.author.has_usable_password()
    assert list(placeholder.replies.values_list("body", flat=True)) == ["An answer"]
    assert Comment.objects.count() == 2
    assert Paper.objects.get(pk=paper.pk).num_comments == 1  # the answer
    page = client.get("/papers/1706.03762").content.decode()
    assert "An answer" in page and "A comment someone answers" not in page
