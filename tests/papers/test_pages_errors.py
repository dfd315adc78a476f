"""Bad input on any page gets the friendly error page with a 4xx status, never a 500."""

from __future__ import annotations

import pytest

from tests.factories import make_daily_paper, make_paper

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/papers/date/2025-02-30", "not a real calendar date"),
        ("/papers/date/2025-2-3", "YYYY-MM-DD"),
        ("/papers/date/yesterday", "YYYY-MM-DD"),
        ("/papers/date/99999-01-01", "YYYY-MM-DD"),
        ("/papers/week/2025-W54", "not a week that exists"),
        ("/papers/week/2025-W00", "not a week that exists"),
        ("/papers/week/2025-12", "YYYY-Www"),
        ("/papers/month/2025-13", "not a real month"),
        ("/papers/month/0000-01", "not a real month"),
        ("/papers/month/2025", "YYYY-MM"),
        ("/papers/not-an-id", "is not an arXiv id"),
        ("/papers/2503.1", "is not an arXiv id"),
        ("/papers/9999.99999", "no paper with arXiv id 9999.99999"),
        ("/papers/hep-th/9901001", "no paper with arXiv id hep-th/9901001"),
    ],
)
def test_bad_paths_get_a_friendly_404(client, path, message):
    """(With ARXIV_ON_DEMAND on, valid ids we lack are fetched instead:
    tests/sources/test_on_demand.py.)"""
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert message in html
    assert "Latest papers" in html  # the styled page with a way out, not Django's bare one
    assert 'rel="stylesheet"' in html


@pytest.mark.parametrize("page", ["abc", "0", "-1", "2", "1.5", "9" * 40])
def test_junk_page_numbers_are_404(client, page):
    make_daily_paper("2025-03-12")
    response = client.get(f"/papers/date/2025-03-12?page={page}")
    assert response.status_code == 404
    assert b"There is no such page in this list." in response.content


def test_unknown_sort_is_a_400_with_the_reason(client):
    make_daily_paper("2025-03-12")
    response = client.get("/papers?sort=random")
    assert response.status_code == 400
    assert b"Unknown sort &#x27;random&#x27;" in response.content


def test_unmatched_url_uses_the_friendly_404(client):
    response = client.get("/no/such/place")
    assert response.status_code == 404
    assert b"find that page" in response.content
    assert b"/no/such/place" in response.content


def test_messages_escape_user_input(client):
    response = client.get("/papers/<script>alert(1)</script>")
    assert response.status_code == 404
    assert b"<script>alert(1)" not in response.content


def test_500_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert "site.css" in html


def test_existing_paper_still_found_next_to_bad_ids(client):
    make_paper(arxiv_id="2503.00042")
    assert client.get("/papers/2503.00042").status_code == 200
