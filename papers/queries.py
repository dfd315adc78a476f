"""Read-only queries over papers and the daily feed, shared by pages, API, RSS and CLI."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import Prefetch, QuerySet

from papers import periods
from papers.models import Author, DailyEntry, Organization, Paper, PaperAuthor
from papers.periods import Period

FeedSort = Literal["upvotes", "newest"]


def with_card_data(papers: QuerySet[Paper]) -> QuerySet[Paper]:
    """Everything a card or an API item shows, in a constant number of queries."""
    return papers.select_related("organization").prefetch_related(
        Prefetch(
            "authorships",
            queryset=PaperAuthor.objects.select_related("author", "claimed_by").order_by(
                "position"
            ),
        )
    )


def daily_entries(
    period: Period, sort: FeedSort = "upvotes", submitter: str | None = None
) -> QuerySet[DailyEntry]:
    """Visible entries of the daily feed in ``period``; within a day, most upvoted first."""
    entries = DailyEntry.objects.filter(
        date__gte=period.start, date__lte=period.end, hidden=False
    ).select_related("submitted_by", "paper__organization")
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
    return entries.order_by(*order).prefetch_related(
        Prefetch(
            "paper__authorships",
            queryset=PaperAuthor.objects.select_related("author", "claimed_by").order_by(
                "position"
            ),
        )
    )


def latest_feed_date() -> dt.date | None:
    """The most recent date that has visible papers on the daily feed (entries dated
    further ahead than a curator may move one never become "today")."""
    visible = DailyEntry.objects.filter(hidden=False, date__lte=periods.latest_entry_date())
    entry = visible.order_by("-date").only("date").first()
    return entry.date if entry else None


def adjacent_feed_dates(date: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The nearest earlier and later dates that have papers (navigation skips empty days)."""
    visible = DailyEntry.objects.filter(hidden=False)
    before = visible.filter(date__lt=date).order_by("-date").values_list("date", flat=True)
    after = visible.filter(date__gt=date).order_by("date").values_list("date", flat=True)
    return before.first(), after.first()


def paper_by_arxiv_id(arxiv_id: str) -> Paper | None:
    return with_card_data(Paper.objects.filter(arxiv_id=arxiv_id)).first()


def first_feed_date() -> dt.date | None:
    """The earliest date that has visible papers on the daily feed."""
    entry = DailyEntry.objects.filter(hidden=False).order_by("date").only("date").first()
    return entry.date if entry else None


def adjacent_feed_periods(period: Period) -> tuple[Period | None, Period | None]:
    """The nearest earlier and later periods of the same kind that have papers.

    For days this is ``adjacent_feed_dates``; for weeks and months it jumps over empty
    weeks or months the same way, so ← → never lead to an empty page.
    """
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


def feed_entries_of_paper(paper: Paper) -> QuerySet[DailyEntry]:
    """The visible appearances of ``paper`` on the daily feed, oldest first."""
    return (
        DailyEntry.objects.filter(paper=paper, hidden=False)
        .select_related("submitted_by")
        .order_by("date")
    )


def author_by_slug(slug: str) -> Author | None:
    return Author.objects.filter(slug=slug).first()


def organization_by_slug(slug: str) -> Organization | None:
    return Organization.objects.filter(slug=slug).first()


def papers_by_author(author: Author) -> QuerySet[Paper]:
    """The author's papers, newest first, ready for cards."""
    papers = Paper.objects.filter(authorships__author=author).distinct()
    return with_card_data(papers.order_by("-published_at", "-id"))


def papers_of_organization(organization: Organization) -> QuerySet[Paper]:
    """The organization's papers, newest first, ready for cards."""
    return with_card_data(organization.papers.order_by("-published_at", "-id"))
