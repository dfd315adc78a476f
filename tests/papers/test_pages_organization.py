"""Organization pages: the organization's papers, newest first."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_org, make_paper

pytestmark = pytest.mark.django_db


def test_organization_page_lists_its_papers_newest_first(client):
    org = make_org("acme-ai", "Acme AI")
    make_paper(title="First", organization=org, published_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC))
    make_paper(
        title="Second", organization=org, published_at=dt.datetime(2025, 2, 2, tzinfo=dt.UTC)
    )
    make_paper(title="Not theirs")
    response = client.get("/organizations/acme-ai")
    assert response.status_code == 200
    assert [p.title for p in response.context["papers"]] == ["Second", "First"]
    assert b"<h1>Acme AI</h1>" in response.content


def test_organization_without_papers_says_so(client):
    make_org("quiet-lab", "Quiet Lab")
    response = client.get("/organizations/quiet-lab")
    assert response.status_code == 200
    assert b"No papers from this organization yet." in response.content


def test_unknown_organization_is_a_friendly_404(client):
    response = client.get("/organizations/nope")
    assert response.status_code == 404
    assert b"We have no organization with that name." in response.content
