"""Read-only queries over papers and the daily feed, shared by pages, API, RSS and CLI."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import F, QuerySet

from papers import periods
from papers.models import Author, DailyEntry, Organization, Paper
from papers.periods import Period

FeedSort = Literal["upvotes", "newest"]


def daily_entries(
    period: Period, sort: FeedSort = "upvotes", submitter: str | None = None
) -> QuerySet[DailyEntry]:
    """Visible entries of the daily feed in ``period``; within a day, most upvoted first.
    Only their ids are read: ``papers.cards.feed_cards`` loads what a page shows."""
    entries = DailyEntry.objects.filter(date__gte=period.start, date__lte=period.end, hidden=False)
    if submitter:
        entries = entries.filter(submitter_name=submitter) | entries.filter(
            submitted_by__username=submitter
        )
    if sort == "newest":
        order = ["-date", "-paper__published_at", "-paper_id"]
    elif period.kind == "day":
        order = ["-featured", "-paper__upvotes", "-paper_id"]
    else:
        order = ["-paper__upvotes", "-date", "-paper_id"]
    return entries.order_by(*order).only("id", "paper_id")


def latest_feed_date() -> dt.date | None:
    """The most recent date that has visible papers on the daily feed (entries dated
    further ahead than a curator may move one never become "today")."""
    visible = DailyEntry.objects.filter(hidden=False, date__lte=periods.latest_entry_date())
    entry = visible.order_by("-date").only("date").first()
    return entry.date if entry else None


def paper_by_arxiv_id(arxiv_id: str) -> Paper | None:
    return Paper.objects.select_related("organization").filter(arxiv_id=arxiv_id).first()


def recent_paper_ids(limit: int) -> list[int]:
    """The ids of the ``limit`` most recently published papers, newest first (undated last)."""
    ordered = Paper.objects.order_by(F("published_at").desc(nulls_last=True), "-id")
    return list(ordered.values_list("pk", flat=True)[:limit])


def first_feed_date() -> dt.date | None:
    """The earliest date that has visible papers on the daily feed."""
    entry = DailyEntry.objects.filter(hidden=False).order_by("date").only("date").first()
    return entry.date if entry else None


def adjacent_feed_periods(period: Period) -> tuple[Period | None, Period | None]:
    """The nearest earlier and later periods of the same kind that have papers, so ← →
    skip empty days, weeks or months."""
    visible = DailyEntry.objects.filter(hidden=False)
    before = (
        visible.filter(date__lt=period.start).order_by("-date").values_list("date", flat=True)
    ).first()
    after = (
        visible.filter(date__gt=period.end).order_by("date").values_list("date", flat=True)
    ).first()
    return (
        period_containing(period.kind, before) if before else None,
        period_containing(period.kind, after) if after else None,
    )


def period_containing(kind: str, date: dt.date) -> Period:
    """The day, week or month that contains ``date``."""
    if kind == "day":
        return periods.day(date)
    if kind == "week":
        return periods.week_of(date)
    return periods.month_of(date)


def author_by_slug(slug: str) -> Author | None:
    return Author.objects.filter(slug=slug).first()


def organization_by_slug(slug: str) -> Organization | None:
    return Organization.objects.filter(slug=slug).first()


def paper_ids_by_author(author: Author) -> QuerySet:
    """The ids of the author's papers, newest first (``papers.cards`` loads the cards)."""
    papers = Paper.objects.filter(authorships__author=author).distinct()
    return papers.order_by("-published_at", "-id").values_list("pk", flat=True)


def paper_ids_of_organization(organization: Organization) -> QuerySet:
    """The ids of the organization's papers, newest first (``papers.cards`` loads the cards)."""
    return organization.papers.order_by("-published_at", "-id").values_list("pk", flat=True)
