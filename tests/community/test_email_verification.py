"""Account addresses: verified by a signed link (the account works at once, mail waits for
it), unique whatever the letter case (form, admin and a database index), and a password
reset mails exactly one account."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from community import queries, services
from community.email_verification import make_token
from community.models import AuditLog
from tests.community import test_accounts
from tests.community.conftest import NOW, PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SIGNUP = {**test_accounts.SIGNUP, "email": "Newbie@Example.org"}


def verify_path(message) -> str:
    found = re.search(r"http://127\.0\.0\.1:8000(/accounts/verify/\S+)", message.body)
    assert found, message.body
    return found.group(1)


def reset_mails() -> list[list[str]]:
    return [m.to for m in mail.outbox if "reset" in m.subject.lower()]


def test_sign_up_works_at_once_and_mails_a_verification_link(client, frozen, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert client.session["_auth_user_id"] == str(user.pk)  # logged in
    assert not queries.email_verified(user)
    [message] = mail.outbox
    assert message.to == ["Newbie@example.org"]
    path = verify_path(message)
    page = client.get("/users/newbie").content.decode()
    assert "is not verified yet" in page

    # GET (what a mail scanner does) verifies nothing; the button's POST does.
    assert b"Verify this address" in client.get(path).content
    assert not queries.email_verified(user)
    assert client.post(path).status_code == 302
    assert queries.email_verified(user)
    assert "is not verified yet" not in client.get("/users/newbie").content.decode()


def test_verification_links_cannot_be_forged_reused_for_another_address_or_kept(
    client, owner, time_machine
):
    time_machine.move_to(NOW, tick=False)
    token = make_token(owner)
    assert client.post(f"/accounts/verify/{token[:-2]}xx").status_code == 400
    owner.email = "changed@example.org"
    owner.save()
    assert client.post(f"/accounts/verify/{token}").status_code == 410
    fresh = make_token(owner)
    time_machine.move_to(NOW + dt.timedelta(days=4), tick=False)
    response = client.post(f"/accounts/verify/{fresh}")
    assert response.status_code == 410 and b"expired" in response.content
    assert not queries.email_verified(owner)


def test_a_changed_address_is_no_longer_verified(owner):
    services.mark_email_verified(owner)
    assert queries.email_verified(owner)
    owner.email = "new@example.org"
    owner.save()
    assert not queries.email_verified(owner)


def test_a_second_account_with_the_same_address_is_refused(client, owner):
    again = {**SIGNUP, "email": "OWNER@example.ORG"}
    response = client.post("/accounts/signup/", again)
    assert response.status_code == 400
    assert "An account with this email address already exists" in response.content.decode()
    assert User.objects.filter(email__iexact="owner@example.org").count() == 1


def test_the_database_refuses_duplicate_addresses_whatever_the_case(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("twin", email="Owner@Example.ORG")
    # Accounts without an address are not duplicates of each other.
    make_user("blank1", email="")
    make_user("blank2", email="")


def test_a_sign_up_that_loses_the_race_gets_a_message(owner):
    with pytest.raises(services.CommunityError, match="just taken"):
        services.register_user("twin", "owner@EXAMPLE.org", PASSWORD)


def test_password_reset_mails_only_a_verified_account(client, owner):
    client.post("/accounts/password_reset/", {"email": "owner@example.org"})
    assert reset_mails() == []  # not verified yet
    services.mark_email_verified(owner)
    response = client.post("/accounts/password_reset/", {"email": "OWNER@example.org"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert reset_mails() == [["owner@example.org"]]


def test_asking_for_a_new_link_from_the_profile(owner_client, owner, settings, frozen):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify_email": (2, 3600)}
    answers = [owner_client.post("/accounts/verify/send").status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert [m.to for m in mail.outbox] == [["owner@example.org"]] * 2
    services.mark_email_verified(owner)
    mail.outbox.clear()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify_email": (10, 3600)}
    owner_client.post("/accounts/verify/send")
    assert mail.outbox == []  # already verified


def test_admin_refuses_a_duplicate_address_and_can_mark_one_verified(owner, other):
    boss = make_user("boss", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(boss)
    url = f"/admin/auth/user/{other.pk}/change/"
    form = {
        "username": "other",
        "email": "Owner@example.org",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "00:00:00",
        "is_active": "on",
    }
    response = admin.post(url, form)
    assert response.status_code == 200
    assert "Another account already has this email address" in response.content.decode()
    action = {"action": "mark_email_verified", "_selected_action": [owner.pk]}
    admin.post("/admin/auth/user/", action)
    assert queries.email_verified(owner)
    assert AuditLog.objects.filter(action="verify_email", target_id=str(owner.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_an_address_on_its_oldest_account_only():
    call_command("migrate", "community", "0002", verbosity=0)
    try:
        first = make_user("first", email="Shared@example.org")
        second = make_user("second", email="SHARED@EXAMPLE.org")  # domain stored lower-case
        third = make_user("third", email="shared@example.org")
        alone = make_user("alone", email="alone@example.org")
    finally:
        call_command("migrate", "community", verbosity=0)
    emails = dict(User.objects.values_list("username", "email"))
    assert emails == {
        "first": "Shared@example.org",
        "second": "",
        "third": "",
        "alone": "alone@example.org",
    }
    logged = AuditLog.objects.filter(action="clear_duplicate_email")
    # target_id is text: order by the number, or pk 10 would sort before pk 9.
    assert sorted(((row.target_id, row.details) for row in logged), key=lambda r: int(r[0])) == [
        (str(second.pk), {"email": "SHARED@example.org", "kept_by_user_id": first.pk}),
        (str(third.pk), {"email": "shared@example.org", "kept_by_user_id": first.pk}),
    ]
    assert alone.pk and not queries.email_verified(first)
