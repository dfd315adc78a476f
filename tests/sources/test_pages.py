"""The curators' status page, /healthz staleness, and the day's "New on arXiv" view with
one-click submit (members) and feature (curators)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from community.models import AuditLog
from papers.models import DailyEntry
from sources.follow import run_source
from tests.factories import make_user
from tests.sources.upstream import FakeUpstream, RawPaper

pytestmark = pytest.mark.django_db
NOW = "2026-12-03 12:00:00+00:00"


def harvest(upstream: FakeUpstream) -> None:
    upstream.oai_records = [
        RawPaper("2612.00001", "Tokenizers for every language", "cs.CL"),
        RawPaper("2612.00004", "Statistics of parsing", "math.ST cs.CL"),
    ]
    assert run_source("arxiv").status == "ok"


def test_status_page_is_for_staff_and_shows_each_source(upstream, settings):
    with time_machine.travel(NOW, tick=False):
        harvest(upstream)
        upstream.fault("oai", lambda: (400, {}, b"bad request"))
        failed = run_source("arxiv")
    assert failed.status == "failed"
    staff, member = make_user("boss", is_staff=True), make_user("member")
    client = Client()
    assert client.get("/curate/sources").status_code == 302  # to the login page
    client.force_login(member)
    assert client.get("/curate/sources").status_code == 403
    client.force_login(staff)
    page = client.get("/curate/sources")
    text = page.content.decode()
    assert page.status_code == 200
    for label in ("arXiv (OAI-PMH)", "Hugging Face Daily Papers", "GitHub stars"):
        assert label in text
    assert "refused the request: HTTP 400" in text  # the last error, with its time
    assert "2 / 0" in text  # last run's and total added / updated of the first run's papers


def test_healthz_reports_a_source_stale_after_the_threshold(upstream, settings, client):
    settings.FOLLOW_STALE_HOURS = 26
    with time_machine.travel(NOW, tick=False) as clock:
        harvest(upstream)
        fresh = client.get("/healthz").json()["checks"]["sources"]
        assert fresh["ok"] is True and fresh["enabled"]["arxiv"]["stale"] is False
        clock.shift(dt.timedelta(hours=27))
        response = client.get("/healthz")
    stale = response.json()["checks"]["sources"]
    assert response.status_code == 200  # the node still serves; it is only degraded
    assert response.json()["status"] == "degraded"
    assert stale["ok"] is False and stale["enabled"]["arxiv"]["stale"] is True
    assert stale["enabled"]["arxiv"]["last_success"].startswith("2026-12-03T12:00")


def test_healthz_without_enabled_sources_is_fine(client, settings):
    settings.FOLLOW_ARXIV_CATEGORIES, settings.FOLLOW_HF, settings.FOLLOW_GITHUB = [], False, False
    assert client.get("/healthz").json()["checks"]["sources"] == {"ok": True, "enabled": {}}


@time_machine.travel(NOW, tick=False)
def test_new_on_arxiv_lists_the_day_and_members_submit_in_one_click(upstream):
    harvest(upstream)
    assert not DailyEntry.objects.exists()  # not on the curated feed by themselves
    client = Client()
    day = client.get("/papers/date/2026-12-01")
    assert 'href="/papers/date/2026-12-01/arxiv"' in day.content.decode()
    listing = client.get("/papers/date/2026-12-01/arxiv")
    text = listing.content.decode()
    assert listing.status_code == 200
    assert "Tokenizers for every language" in text and "cross-list" in text
    assert "Sign in to submit" in text
    client.force_login(make_user("member"))
    assert (
        'name="paper" value="2612.00001"'
        in client.get("/papers/date/2026-12-01/arxiv").content.decode()
    )
    response = client.post("/papers/submit", {"paper": "2612.00001"})
    assert response.status_code == 302
    entry = DailyEntry.objects.get()
    assert (entry.paper.arxiv_id, entry.date) == ("2612.00001", dt.date(2026, 12, 3))
    assert len(upstream.requests) == 1  # the paper was here already: no arXiv call


@time_machine.travel(NOW, tick=False)
def test_curators_feature_a_new_paper_on_its_day_in_one_click(upstream):
    harvest(upstream)
    client = Client()
    client.force_login(make_user("curator", is_staff=True))
    assert "Feature on" in client.get("/papers/date/2026-12-01/arxiv").content.decode()
    response = client.post("/curate/arxiv/feature", {"paper": "2612.00004", "date": "2026-12-01"})
    assert response.status_code == 302
    entry = DailyEntry.objects.get()
    assert (entry.paper.arxiv_id, entry.date, entry.featured) == (
        "2612.00004",
        dt.date(2026, 12, 1),
        True,
    )
    assert AuditLog.objects.filter(action="feature").count() == 1
    page = client.get("/papers/date/2026-12-01/arxiv").content.decode()
    assert "On the feed, featured" in page
    member = Client()
    member.force_login(make_user("member"))
    refused = member.post("/curate/arxiv/feature", {"paper": "2612.00001", "date": "2026-12-01"})
    assert refused.status_code == 403 and DailyEntry.objects.count() == 1


def test_new_on_arxiv_with_a_bad_date_is_a_clear_400(client):
    response = client.get("/papers/date/2026-13-45/arxiv")
    assert response.status_code == 400
