"""The demo is alive whatever the date: ``load_demo`` moves the bundled feed days so the
newest is today (or the last weekday), and every "current" view has papers."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from community.trending import trending_papers
from papers.demo.dates import add_weekdays, shifted, target_day, weekdays_between
from papers.importers.records import DailyRecord, PaperRecord
from papers.models import DailyEntry
from papers.queries import period_containing
from papers.signals import papers_changed
from papers.templatetags.papers_tags import period_url


@pytest.mark.django_db
@pytest.mark.parametrize(
    "today",
    ["2027-02-10 09:30:00+00:00", "2027-08-01 18:00:00+00:00"],
    ids=["a Wednesday", "a Sunday that starts a month"],
)
def test_a_fresh_demo_is_alive_at_any_date(today: str):
    with (
        time_machine.travel(today, tick=False),
        mock.patch.object(papers_changed, "receivers", []),
    ):
        call_command("load_demo", "--no-progress", stdout=StringIO(), stderr=StringIO())
        now = dt.datetime.fromisoformat(today)
        latest = DailyEntry.objects.latest("date").date
        assert latest == target_day(now.date()) and latest.month == now.month
        for period in ("today", "week", "month"):
            ranked = trending_papers(period, now, limit=10)
            assert len(ranked) == 10, period
            assert all(item.score > 0 for item in ranked), period
        client = Client()
        rss = client.get("/feeds/trending.xml").content.decode()
        assert rss.count("<item>") >= 10
        preview = client.get("/digests/preview").content.decode()
        assert "No digest would be sent now" not in preview
        assert trending_papers("today", now, limit=1)[0].paper.title in preview
        for kind in ("week", "month"):
            page = client.get(period_url(period_containing(kind, now.date())))
            assert page.status_code == 200
            assert "empty-state" not in page.content.decode(), kind
        assert "empty-state" not in client.get("/papers").content.decode()


def test_days_move_by_weekdays_and_keep_their_order_and_gaps():
    days = [dt.date(2026, 8, 19), dt.date(2026, 8, 20), dt.date(2026, 8, 21), dt.date(2026, 8, 24)]
    records = [
        PaperRecord(f"2608.0000{n}", "t", "hf", daily=DailyRecord(day, submitted_at=None))
        for n, day in enumerate(days)
    ]
    moved = [r.daily.date for r in shifted(records, dt.date(2027, 2, 10))]  # a Wednesday
    assert moved == [
        dt.date(2027, 2, 5),
        dt.date(2027, 2, 8),
        dt.date(2027, 2, 9),
        dt.date(2027, 2, 10),
    ]
    assert all(day.weekday() < 5 for day in moved)


def test_weekday_arithmetic():
    friday, monday = dt.date(2026, 12, 4), dt.date(2026, 12, 7)
    assert weekdays_between(friday, monday) == 1 and weekdays_between(monday, friday) == -1
    assert add_weekdays(friday, 1) == monday and add_weekdays(monday, -1) == friday
    assert add_weekdays(friday, weekdays_between(friday, dt.date(2027, 3, 3))) == dt.date(
        2027, 3, 3
    )
    assert target_day(dt.date(2026, 12, 6)) == friday  # Sunday: back to Friday
    assert target_day(dt.date(2027, 8, 1)) == dt.date(2027, 8, 1)  # not into July
