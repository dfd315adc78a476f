"""Dates far from today (the end of year 9999, year 1) get a clear error, never a 500."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from papers.models import DailyEntry, Paper
from tests.factories import make_daily_paper

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 4)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC), tick=False):
        make_daily_paper("2026-03-03", arxiv_id="2603.00001")
        yield


@pytest.mark.parametrize(
    "path",
    [
        "/papers/date/9999-12-31",
        "/papers/week/9999-W52",
        "/papers/month/9999-12",
        "/papers/date/2030-01-01",
        "/papers/date/0001-01-01",
        "/papers/week/0001-W01",
        "/papers/month/1990-12",
    ],
)
def test_feed_pages_far_from_today_are_a_clear_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"too far in the future" in response.content or b"when arXiv started" in response.content


def test_pages_within_the_range_still_render(client):
    assert client.get("/papers/date/2027-03-01").status_code == 200  # future, within a year
    assert client.get("/papers/week/1991-W01").status_code == 200  # starts in 1990, ends 1991


@pytest.mark.parametrize("query", ["week=9999-W52", "date=9999-12-31", "month=0001-01"])
def test_api_far_dates_are_a_json_400(client, query):
    response = client.get(f"/api/daily_papers?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "Invalid" in response.json()["error"]


def test_an_entry_dated_far_ahead_never_becomes_today(client):
    """An entry written before dates were bounded (or by hand) does not take over /papers."""
    paper = Paper.objects.get()
    DailyEntry.objects.create(paper=paper, date=dt.date(9999, 12, 31))
    DailyEntry.objects.create(paper=paper, date=dt.date(2030, 1, 1))
    response = client.get("/papers")
    assert response.status_code == 200
    assert response.context["period"].start == dt.date(2026, 3, 3)


def test_import_rejects_listing_and_publication_dates_out_of_range(tmp_path):
    items = [
        {"paper": {"id": "2603.00002", "title": "Far", "publishedAt": "9999-12-31T00:00:00Z"}},
        {"paper": {"id": "2603.00003", "title": "Old", "publishedAt": "1900-01-01T00:00:00Z"}},
    ]
    path = tmp_path / "9999-12-31.json"
    path.write_text(json.dumps(items))
    out, err = StringIO(), StringIO()
    call_command("import_hf", str(path), "--no-progress", stdout=out, stderr=err)
    assert "rejected 2" in out.getvalue()
    assert "9999-12-31 is too far in the future" in err.getvalue()
    assert "1900-01-01 is before 1991" in err.getvalue()
    assert not Paper.objects.filter(arxiv_id__in=["2603.00002", "2603.00003"]).exists()


def test_import_rejects_a_listing_day_far_ahead(tmp_path):
    item = {"paper": {"id": "2603.00004", "title": "Listed late", "publishedAt": "2026-03-01"}}
    path = tmp_path / "9999-12-31.json"
    path.write_text(json.dumps([item]))
    err = StringIO()
    call_command("import_hf", str(path), "--no-progress", stdout=StringIO(), stderr=err)
    assert "listing date: The date 9999-12-31 is too far in the future" in err.getvalue()


def test_search_date_filters_far_from_today_are_ignored_with_a_message(client):
    response = client.get("/papers/search?q=paper&from=0001-01-01&to=9999-12-31")
    assert response.status_code == 200
    assert b"From 0001-01-01 is before 1991" in response.content
    assert b"To 9999-12-31 is too far in the future" in response.content
