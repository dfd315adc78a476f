"""Claiming authorship: ORCID validation, curator approval, shown on paper and profile."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community import services
from community.models import AuditLog, AuthorshipClaim
from community.orcid import OrcidError, check_digit, normalize_orcid
from tests.community.conftest import logged_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0001-5109-3700", "0000-0001-5109-3700"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("0000000218250097", "0000-0002-1825-0097"),
    ],
)
def test_valid_orcids_are_normalized(raw, expected):
    assert normalize_orcid(raw) == expected


@pytest.mark.parametrize("raw", ["0000-0002-1825-0098", "0000-0002-1825", "abcd-0002-1825-0097"])
def test_invalid_orcids_are_refused(raw):
    with pytest.raises(OrcidError):
        normalize_orcid(raw)


def test_check_digit_x():
    assert check_digit("000000021694233") == "X"


def claim(client, paper, position: int = 0, orcid: str = ""):
    authorship = paper.authorships.get(position=position)
    url = reverse("community:claim", args=[paper.arxiv_id])
    return client.post(url, {"authorship": authorship.pk, "orcid": orcid})


def test_claim_then_curator_approves(owner_client, owner, curator_client, curator, paper, client):
    claim(owner_client, paper, 1, "0000-0002-1825-0097")
    pending = AuthorshipClaim.objects.get()
    assert pending.status == "pending" and pending.orcid == "0000-0002-1825-0097"
    assert "Alan Turing" in curator_client.get(paper.get_absolute_url()).content.decode()

    response = curator_client.post(
        reverse("community:claim_decide", args=[pending.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "approved" and pending.decided_by == curator
    assert paper.authorships.get(position=1).claimed_by == owner
    assert AuditLog.objects.get().action == "approve_claim"
    assert 'title="Claimed by owner"' in client.get(paper.get_absolute_url()).content.decode()
    profile = client.get("/users/owner").content.decode()
    assert paper.title in profile and "0000-0002-1825-0097" in profile


def test_bad_orcid_is_a_clear_message(owner_client, paper):
    response = claim(owner_client, paper, 0, "0000-0002-1825-0098")
    message = str(next(iter(response.wsgi_request._messages)))
    assert "check digit is wrong" in message
    assert not AuthorshipClaim.objects.exists()


def test_reject(owner, curator, paper):
    pending = services.claim_authorship(owner, paper.authorships.get(position=0))
    services.decide_claim(curator, pending, approve=False)
    pending.refresh_from_db()
    assert pending.status == "rejected"
    assert paper.authorships.get(position=0).claimed_by is None


def test_outsider_cannot_approve(owner, other_client, paper):
    pending = services.claim_authorship(owner, paper.authorships.get(position=0))
    response = other_client.post(
        reverse("community:claim_decide", args=[pending.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_curator_cannot_approve_own_claim(curator, paper):
    pending = services.claim_authorship(curator, paper.authorships.get(position=0))
    with pytest.raises(services.PermissionDenied):
        services.decide_claim(curator, pending, approve=True)


def test_one_claim_per_paper_and_slot_taken_once(owner, other, curator, paper):
    slot = paper.authorships.get(position=0)
    first = services.claim_authorship(owner, slot)
    with pytest.raises(services.CommunityError, match="already have a claim"):
        services.claim_authorship(owner, paper.authorships.get(position=1))
    second = services.claim_authorship(other, slot)
    services.decide_claim(curator, first, approve=True)
    second.refresh_from_db()
    assert second.status == "rejected"  # the slot is taken
    slot.refresh_from_db()
    with pytest.raises(services.CommunityError, match="already claimed"):
        services.claim_authorship(make_user("third"), slot)


def test_decided_claim_cannot_be_decided_again(owner, curator, paper):
    pending = services.claim_authorship(owner, paper.authorships.get(position=0))
    services.decide_claim(curator, pending, approve=False)
    with pytest.raises(services.CommunityError, match="already rejected"):
        services.decide_claim(curator, pending, approve=True)


def test_admin_approve_action(paper, owner):
    pending = services.claim_authorship(owner, paper.authorships.get(position=0))
    root = logged_in(make_user("root", is_staff=True, is_superuser=True))
    root.post(
        reverse("admin:community_authorshipclaim_changelist"),
        {"action": "approve", "_selected_action": [pending.pk]},
    )
    assert paper.authorships.get(position=0).claimed_by == owner


def test_anonymous_claim_goes_to_login(anonymous, paper):
    response = claim(anonymous, paper)
    assert response["Location"].startswith("/accounts/login/?next=")
