"""The daily / weekly / monthly feed pages: content, order, navigation and empty states."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from tests.factories import make_daily_paper, make_entry, make_org, make_paper, make_user

pytestmark = pytest.mark.django_db

# A Friday in the middle of our test data's range; "today" for every test in this file.
TODAY = dt.datetime(2025, 3, 14, 18, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_today(db):
    with time_machine.travel(TODAY, tick=False):
        yield


def _titles(response) -> list[str]:
    return [entry.paper.title for entry in response.context["entries"]]


def test_latest_day_is_the_default_feed(client):
    make_daily_paper("2025-03-10", title="Older paper")
    make_daily_paper("2025-03-12", title="Newest day paper")
    response = client.get("/papers")
    assert response.status_code == 200
    assert response.context["period"].start == dt.date(2025, 3, 12)
    assert _titles(response) == ["Newest day paper"]
    assert b"Daily Papers" in response.content
    assert b"Wednesday, March 12, 2025" in response.content


def test_card_shows_what_hugging_face_shows(client):
    org = make_org("acme-ai", "Acme AI")
    paper = make_paper(
        arxiv_id="2503.01234",
        title="Sparse Attention at Scale",
        abstract="We study sparse attention. " * 5,
        authors=(
            "Ada Lovelace",
            "Alan Turing",
            "Grace Hopper",
            "Edsger Dijkstra",
            "Barbara Liskov",
        ),
        organization=org,
        upvotes=42,
        num_comments=7,
        github_repo="https://github.com/acme/sparse",
        github_stars=1530,
        project_page="https://acme.ai/sparse",
    )
    make_entry(paper, "2025-03-12", submitter_name="akhaliq", submitter_fullname="AK")
    html = client.get("/papers/date/2025-03-12").content.decode()
    assert "Sparse Attention at Scale" in html
    assert "We study sparse attention." in html
    assert "Ada Lovelace" in html and "Grace Hopper" in html
    assert "Edsger Dijkstra" not in html  # only the first three names on a card
    assert "· 5 authors" in html
    assert 'href="/organizations/acme-ai"' in html
    assert re.search(r">\s*42\s*<", html)  # the upvote count (community's box or ours)
    assert "7 comments" in html
    assert 'href="https://arxiv.org/abs/2503.01234"' in html
    assert 'href="https://arxiv.org/pdf/2503.01234"' in html
    assert 'href="https://github.com/acme/sparse"' in html and "1.5k" in html
    assert 'href="https://acme.ai/sparse"' in html
    assert "Submitted by AK" in html
    assert 'href="/papers/2503.01234"' in html


def test_cards_load_no_remote_images(client):
    make_daily_paper("2025-03-12", thumbnail="https://cdn.example.org/thumb.png")
    html = client.get("/papers/date/2025-03-12").content.decode()
    assert "cdn.example.org" not in html
    assert "<img" not in html


def test_local_submitter_links_to_their_profile(client):
    entry = make_daily_paper("2025-03-12")
    entry.submitted_by = make_user("curie")
    entry.save()
    html = client.get("/papers/date/2025-03-12").content.decode()
    assert 'Submitted by <a href="/users/curie">curie</a>' in html


def test_day_is_sorted_by_upvotes_then_newest_toggle(client):
    make_daily_paper(
        "2025-03-12",
        title="Few votes, newest",
        upvotes=1,
        published_at=dt.datetime(2025, 3, 11, tzinfo=dt.UTC),
    )
    make_daily_paper(
        "2025-03-12",
        title="Many votes, older",
        upvotes=90,
        published_at=dt.datetime(2025, 3, 9, tzinfo=dt.UTC),
    )
    assert _titles(client.get("/papers/date/2025-03-12")) == [
        "Many votes, older",
        "Few votes, newest",
    ]
    newest = client.get("/papers/date/2025-03-12?sort=newest")
    assert _titles(newest) == ["Few votes, newest", "Many votes, older"]
    assert b'href="?sort=newest" aria-current="true"' in newest.content


def test_hidden_entries_are_not_shown(client):
    make_daily_paper("2025-03-12", title="Visible")
    hidden = make_daily_paper("2025-03-12", title="Hidden by a curator")
    hidden.hidden = True
    hidden.save()
    assert _titles(client.get("/papers/date/2025-03-12")) == ["Visible"]


def test_navigation_skips_empty_days(client):
    make_daily_paper("2025-03-06")  # Thursday
    make_daily_paper("2025-03-10")  # Monday; Fri 7 and the weekend are empty
    make_daily_paper("2025-03-12")
    html = client.get("/papers/date/2025-03-10").content.decode()
    assert 'href="/papers/date/2025-03-06" rel="prev"' in html
    assert 'href="/papers/date/2025-03-12" rel="next"' in html


def test_no_links_beyond_the_first_and_last_days(client):
    make_daily_paper("2025-03-10")
    html = client.get("/papers/date/2025-03-10").content.decode()
    assert 'rel="prev"' not in html and 'rel="next"' not in html
    assert "No earlier day with papers" in html


def test_week_aggregates_its_days_by_upvotes(client):
    make_daily_paper("2025-03-10", title="Monday", upvotes=5)
    make_daily_paper("2025-03-14", title="Friday", upvotes=50)
    make_daily_paper("2025-03-17", title="Next week", upvotes=500)
    response = client.get("/papers/week/2025-W11")
    assert response.status_code == 200
    assert _titles(response) == ["Friday", "Monday"]
    assert b"Week 11 of 2025" in response.content


def test_week_navigation_skips_empty_weeks(client):
    make_daily_paper("2025-02-17")  # W08
    make_daily_paper("2025-03-10")  # W11; W09 and W10 are empty
    html = client.get("/papers/week/2025-W11").content.decode()
    assert 'href="/papers/week/2025-W08" rel="prev"' in html


def test_month_aggregates_and_navigates(client):
    make_daily_paper("2025-01-31", title="January")
    make_daily_paper("2025-03-03", title="March a")
    make_daily_paper("2025-03-31", title="March b")
    response = client.get("/papers/month/2025-03")
    assert sorted(_titles(response)) == ["March a", "March b"]
    html = response.content.decode()
    assert 'href="/papers/month/2025-01" rel="prev"' in html  # February is empty
    assert "March 2025" in html


def test_tabs_link_to_the_week_and_month_of_the_day(client):
    make_daily_paper("2025-03-12")
    html = client.get("/papers/date/2025-03-12").content.decode()
    assert 'href="/papers/week/2025-W11"' in html
    assert 'href="/papers/month/2025-03"' in html
    assert '<a class="tab" href="/papers/date/2025-03-12" aria-current="page">Daily</a>' in html


def test_long_periods_are_paginated(client, settings):
    for _ in range(3):
        make_daily_paper("2025-03-12")
    from papers import views

    original = views.FEED_PAGE_SIZE
    views.FEED_PAGE_SIZE = 2
    try:
        first = client.get("/papers/date/2025-03-12")
        second = client.get("/papers/date/2025-03-12?page=2")
    finally:
        views.FEED_PAGE_SIZE = original
    assert len(first.context["entries"]) == 2
    assert len(second.context["entries"]) == 1
    assert b"Page 1 of 2" in first.content
    assert b'href="?page=2"' in first.content


# Empty days say why ------------------------------------------------------------------------


def _reason(response) -> str:
    assert response.status_code == 200
    return response.context["empty"].code


def test_empty_weekend_says_arxiv_does_not_announce(client):
    make_daily_paper("2025-03-07")
    make_daily_paper("2025-03-10")
    response = client.get("/papers/date/2025-03-08")
    assert _reason(response) == "weekend"
    assert b"arXiv does not announce new papers on Saturdays and Sundays" in response.content
    assert b'href="/papers/date/2025-03-07"' in response.content  # the nearest day


def test_empty_future_day(client):
    make_daily_paper("2025-03-12")
    response = client.get("/papers/date/2025-03-20")
    assert _reason(response) == "future"
    assert b"in the future" in response.content
    assert b'<a class="button" href="/papers/date/2025-03-12">' in response.content


def test_empty_today_is_not_listed_yet(client):
    make_daily_paper("2025-03-12")
    response = client.get("/papers/date/2025-03-14")
    assert _reason(response) == "today"
    assert b"not listed yet" in response.content


def test_empty_past_weekday_after_latest_is_not_listed_yet(client):
    make_daily_paper("2025-03-10")
    response = client.get("/papers/date/2025-03-12")
    assert _reason(response) == "after-latest"
    assert b"most recent day with papers is March 10, 2025" in response.content


def test_empty_day_before_our_archive(client):
    make_daily_paper("2025-03-10")
    response = client.get("/papers/date/2024-01-03")
    assert _reason(response) == "before-first"
    assert b"Our archive starts on March 10, 2025" in response.content


def test_empty_weekday_with_nothing_submitted(client):
    make_daily_paper("2025-03-10")
    make_daily_paper("2025-03-12")
    response = client.get("/papers/date/2025-03-11")
    assert _reason(response) == "none"
    assert b"Nobody submitted a paper for this day" in response.content


def test_empty_database_explains_how_to_import(client):
    response = client.get("/papers")
    assert _reason(response) == "nothing-yet"
    assert b"import_hf" in response.content


def test_empty_future_week_and_month(client):
    make_daily_paper("2025-03-12")
    assert _reason(client.get("/papers/week/2025-W20")) == "future"
    assert _reason(client.get("/papers/month/2024-01")) == "before-first"
