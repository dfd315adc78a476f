"""Curators: feature/unfeature, move, hide spam, ban users — in-page and in the admin,
every action audited; outsiders are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from community import services
from community.models import AuditLog
from community.permissions import is_curator
from tests.community.conftest import TODAY, logged_in
from tests.factories import make_entry, make_paper, make_user

pytestmark = pytest.mark.django_db


def curate(client, entry, **data):
    return client.post(reverse("community:curate_entry", args=[entry.pk]), data)


def test_curator_group_exists_with_admin_permissions():
    group = Group.objects.get(name="curator")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_dailyentry", "change_comment", "view_auditlog"} <= codenames


def test_who_is_a_curator(curator, owner):
    staff = make_user("staffer", is_staff=True)
    assert is_curator(curator) and is_curator(staff)
    assert not is_curator(owner)
    curator.is_active = False
    assert not is_curator(curator)


def test_feature_and_unfeature_from_the_paper_page(curator_client, curator, paper):
    entry = paper.daily_entries.get()
    assert curate(curator_client, entry, action="feature").status_code == 302
    entry.refresh_from_db()
    assert entry.featured
    curate(curator_client, entry, action="unfeature")
    entry.refresh_from_db()
    assert not entry.featured
    actions = list(AuditLog.objects.order_by("id").values_list("action", "actor__username"))
    assert actions == [("feature", "curator"), ("unfeature", "curator")]


def test_move_to_another_day_is_audited(curator_client, paper):
    entry = paper.daily_entries.get()
    curate(curator_client, entry, action="move", date="2025-01-09")
    entry.refresh_from_db()
    assert entry.date == dt.date(2025, 1, 9)
    log = AuditLog.objects.get(action="move_entry")
    assert log.details == {"moved_from": str(TODAY), "moved_to": "2025-01-09"}


def test_move_onto_an_existing_entry_is_refused_with_a_message(curator_client, paper):
    entry = paper.daily_entries.get()
    make_entry(paper, "2025-01-09")
    response = curate(curator_client, entry, action="move", date="2025-01-09")
    assert response.status_code == 302
    assert "already on the feed of 2025-01-09" in str(next(iter(response.wsgi_request._messages)))
    entry.refresh_from_db()
    assert entry.date == TODAY


def test_bad_move_date_is_a_clear_error(curator_client, paper):
    response = curator_client.post(
        reverse("community:curate_entry", args=[paper.daily_entries.get().pk]),
        {"action": "move", "date": "tomorrow"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "not a date in YYYY-MM-DD format" in response.content.decode()


def test_hidden_entry_leaves_the_feed(curator_client, client, paper):
    entry = paper.daily_entries.get()
    curate(curator_client, entry, action="hide")
    assert paper.title not in client.get("/papers/date/2025-01-08").content.decode()
    assert AuditLog.objects.filter(action="hide_entry").exists()


def test_outsiders_get_403(other_client, anonymous, paper):
    entry = paper.daily_entries.get()
    assert curate(other_client, entry, action="feature").status_code == 403
    assert curate(anonymous, entry, action="hide").status_code == 403
    entry.refresh_from_db()
    assert not entry.featured and not entry.hidden
    assert not AuditLog.objects.exists()


def test_curator_tools_show_only_to_curators(curator_client, other_client, paper):
    assert "Curator tools" in curator_client.get(paper.get_absolute_url()).content.decode()
    assert "Curator tools" not in other_client.get(paper.get_absolute_url()).content.decode()


def test_ban_deactivates_and_hides_content(curator_client, curator, owner, paper, client):
    comment = services.add_comment(owner, paper, "buy pills")
    spam = make_paper("2501.06000")
    entry = make_entry(spam, TODAY, submitted_by=owner)
    response = curator_client.post(reverse("community:ban", args=["owner"]))
    assert response.status_code == 302
    owner.refresh_from_db()
    comment.refresh_from_db()
    entry.refresh_from_db()
    paper.refresh_from_db()
    assert not owner.is_active
    assert comment.hidden and entry.hidden
    assert paper.num_comments == 0
    log = AuditLog.objects.get(action="ban_user")
    assert log.details == {"comments_hidden": 1, "entries_hidden": 1}
    assert client.get("/users/owner").status_code == 404
    assert not client.login(username="owner", password="correct-horse-battery")


def test_non_curator_cannot_ban(other_client, owner):
    response = other_client.post(reverse("community:ban", args=["owner"]))
    assert response.status_code == 403
    owner.refresh_from_db()
    assert owner.is_active


def test_curator_cannot_ban_staff(curator, curator_client):
    make_user("boss", is_staff=True)
    assert curator_client.post(reverse("community:ban", args=["boss"])).status_code == 403


# --- Django admin ---------------------------------------------------------------------


@pytest.fixture
def admin_client_(db):
    return logged_in(make_user("root", is_staff=True, is_superuser=True))


def admin_action(client, model: str, action: str, ids, **extra):
    url = reverse(f"admin:papers_{model}_changelist")
    return client.post(url, {"action": action, "_selected_action": ids, **extra})


def test_admin_actions_feature_hide_and_move_are_audited(admin_client_, paper):
    entry = paper.daily_entries.get()
    admin_action(admin_client_, "dailyentry", "feature", [entry.pk])
    admin_action(admin_client_, "dailyentry", "hide", [entry.pk])
    page = admin_action(admin_client_, "dailyentry", "move_to_day", [entry.pk])
    assert "Move entries to another day" in page.content.decode()
    admin_action(
        admin_client_, "dailyentry", "move_to_day", [entry.pk], apply="1", date="2025-02-01"
    )
    entry.refresh_from_db()
    assert entry.featured and entry.hidden and entry.date == dt.date(2025, 2, 1)
    assert set(AuditLog.objects.values_list("action", flat=True)) == {
        "feature",
        "hide_entry",
        "move_entry",
    }


def test_admin_pages_render(admin_client_, paper, owner):
    services.add_comment(owner, paper, "hello")
    for name in [
        "papers_paper",
        "papers_dailyentry",
        "papers_author",
        "papers_organization",
        "community_comment",
        "community_auditlog",
        "community_authorshipclaim",
        "auth_user",
    ]:
        assert admin_client_.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    url = reverse("admin:papers_paper_change", args=[paper.pk])
    assert admin_client_.get(url).status_code == 200


def test_admin_ban_action(admin_client_, owner):
    url = reverse("admin:auth_user_changelist")
    admin_client_.post(url, {"action": "ban", "_selected_action": [owner.pk]})
    owner.refresh_from_db()
    assert not owner.is_active
    assert AuditLog.objects.get().actor.username == "root"


@pytest.mark.parametrize("date", ["9999-12-31", "2030-01-01", "1900-01-01"])
def test_move_outside_the_feed_range_is_refused_and_the_feed_keeps_working(
    curator_client, client, paper, frozen, date
):
    entry = paper.daily_entries.get()
    response = curate(curator_client, entry, action="move", date=date)
    assert response.status_code == 302
    message = str(next(iter(response.wsgi_request._messages)))
    assert f"The new date {date} is" in message
    entry.refresh_from_db()
    assert entry.date == TODAY
    assert client.get("/papers").status_code == 200


def test_move_to_tomorrow_is_allowed(curator_client, paper, frozen):
    entry = paper.daily_entries.get()
    curate(curator_client, entry, action="move", date=str(TODAY + dt.timedelta(days=1)))
    entry.refresh_from_db()
    assert entry.date == TODAY + dt.timedelta(days=1)
