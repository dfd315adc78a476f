"""HTML pages: the daily/weekly/monthly feed, a paper, an author and an organization.

Views only parse input and pick templates; every read goes through ``papers.queries``.
Bad input (impossible dates, unknown ids, junk page numbers) gets the friendly error
page with a 4xx status and a sentence saying what was wrong.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dailypapers.cache import (
    LATEST_FEED,
    author_tag,
    cache_anonymous_page,
    feed_tags,
    org_tag,
    paper_tag,
)
from papers import queries
from papers.arxiv_ids import parse_arxiv_id
from papers.cards import cards_in_order, feed_cards, load_card
from papers.periods import Kind, Period, PeriodError, parse_period
from papers.templatetags.papers_tags import period_url

FEED_PAGE_SIZE = 60
LIST_PAGE_SIZE = 30
SORTS: dict[str, queries.FeedSort] = {"": "upvotes", "upvotes": "upvotes", "newest": "newest"}


class BadRequest(Exception):
    """Input we can name and explain; rendered as the friendly error page."""

    def __init__(self, message: str, status: int = 404) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class EmptyReason:
    """Why a feed period has no papers, and where the nearest papers are."""

    code: str  # future, today, nothing-yet, before-first, weekend, after-latest, none
    title: str
    detail: str


def error_page(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """The friendly error page (same template as Django's 404 handler)."""
    titles = {400: "That request doesn't look right", 404: "We couldn't find that page"}
    context = {"status": status, "title": titles.get(status, "Something went wrong")}
    return render(request, "404.html", {**context, "message": message}, status=status)


def _friendly_errors(view):
    """Turn ``BadRequest`` raised anywhere in ``view`` into the friendly error page."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadRequest as exc:
            return error_page(request, exc.status, exc.message)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _paginate(request: HttpRequest, items: QuerySet, per_page: int) -> Page:
    try:
        return Paginator(items, per_page).page(request.GET.get("page") or 1)
    except InvalidPage:
        raise BadRequest("There is no such page in this list.") from None


def _card_page(request: HttpRequest, paper_ids: QuerySet) -> Page:
    """A page of ``paper_ids`` (a list page's ordered ids) with its papers' cards."""
    page = _paginate(request, paper_ids, LIST_PAGE_SIZE)
    page.object_list = cards_in_order(list(page.object_list))
    return page


def _feed_sort(request: HttpRequest) -> queries.FeedSort:
    value = request.GET.get("sort", "")
    if value not in SORTS:
        raise BadRequest(f"Unknown sort '{value[:40]}': use 'upvotes' or 'newest'.", status=400)
    return SORTS[value]


# Feed ------------------------------------------------------------------------------------


def _day_reason(date: dt.date, today: dt.date, first: dt.date, latest: dt.date) -> EmptyReason:
    if date > today:
        return EmptyReason("future", "This day is in the future", "No papers are listed yet.")
    if date < first:
        detail = f"Our archive starts on {first:%B %-d, %Y}."
        return EmptyReason("before-first", "Before the first day we have", detail)
    if date.weekday() >= 5:
        detail = "arXiv does not announce new papers on Saturdays and Sundays."
        return EmptyReason("weekend", "No papers on weekends", detail)
    if date == today:
        detail = "Today's papers appear once arXiv announces them and they are submitted."
        return EmptyReason("today", "Today's papers are not listed yet", detail)
    if date > latest:
        detail = f"The most recent day with papers is {latest:%B %-d, %Y}."
        return EmptyReason("after-latest", "Not listed yet", detail)
    detail = "Nobody submitted a paper for this day (arXiv may have had a holiday)."
    return EmptyReason("none", "No papers this day", detail)


def _period_reason(period: Period, today: dt.date, first: dt.date) -> EmptyReason:
    noun = period.kind
    if period.start > today:
        return EmptyReason("future", f"This {noun} is in the future", "No papers are listed yet.")
    if period.end < first:
        detail = f"Our archive starts on {first:%B %-d, %Y}."
        return EmptyReason("before-first", "Before the first day we have", detail)
    return EmptyReason("none", f"No papers this {noun}", "Nobody submitted a paper in it.")


def empty_reason(period: Period, today: dt.date) -> EmptyReason:
    """Explain an empty feed period: future, weekend, before our archive, or just nothing."""
    first, latest = queries.first_feed_date(), queries.latest_feed_date()
    if first is None or latest is None:
        detail = "Import some with `dailypapers import_hf` or load the demo data."
        return EmptyReason("nothing-yet", "No papers have been imported yet", detail)
    if period.kind == "day":
        return _day_reason(period.start, today, first, latest)
    return _period_reason(period, today, first)


def _nearest(period: Period, before: Period | None, after: Period | None) -> Period | None:
    """The closer of the neighbouring periods with papers (earlier wins a tie)."""
    if before is None or after is None:
        return before or after
    return before if period.start - before.end <= after.start - period.end else after


def _tabs(period: Period, is_latest: bool) -> list[dict[str, Any]]:
    anchor = period.start
    tabs = []
    for kind, label in (("day", "Daily"), ("week", "Weekly"), ("month", "Monthly")):
        target = queries.period_containing(kind, anchor)
        url = "/papers" if is_latest and kind == "day" else period_url(target)
        tabs.append({"kind": kind, "label": label, "url": url, "active": kind == period.kind})
    return tabs


def _render_feed(request: HttpRequest, period: Period, is_latest: bool = False) -> HttpResponse:
    sort = _feed_sort(request)
    page = _paginate(request, queries.daily_entries(period, sort=sort), FEED_PAGE_SIZE)
    page.object_list = feed_cards(page.object_list)
    before, after = queries.adjacent_feed_periods(period)
    context = {
        "period": period,
        "is_latest": is_latest,
        "sort": sort,
        "page": page,
        "entries": page.object_list,
        "previous_period": before,
        "next_period": after,
        "tabs": _tabs(period, is_latest),
        "empty": None,
        "nav": "daily",
        "arxiv_following": bool(settings.FOLLOW_ARXIV_CATEGORIES),
    }
    if not page.paginator.count:
        context["empty"] = empty_reason(period, timezone.localdate())
        context["nearest"] = _nearest(period, before, after)
    return render(request, "papers/feed.html", context)


def _period_deps(request: HttpRequest, kind: Kind, value: str) -> list[str]:
    try:
        period = parse_period(kind, value)
    except PeriodError:
        return []  # the view answers 400, which is not cached
    return feed_tags(period.start, period.end)


@cache_anonymous_page(lambda request: [LATEST_FEED])
@_friendly_errors
def feed_latest(request: HttpRequest) -> HttpResponse:
    """``/papers``: the latest day that has papers."""
    latest = queries.latest_feed_date()
    period = queries.period_containing("day", latest or timezone.localdate())
    return _render_feed(request, period, is_latest=latest is not None)


@cache_anonymous_page(_period_deps)
@_friendly_errors
def feed_period(request: HttpRequest, kind: Kind, value: str) -> HttpResponse:
    """``/papers/date/…``, ``/papers/week/…``, ``/papers/month/…``."""
    try:
        period = parse_period(kind, value)
    except PeriodError as exc:
        raise BadRequest(f"{exc}.") from None
    return _render_feed(request, period)


# Paper, author, organization -------------------------------------------------------------


@cache_anonymous_page(lambda request, arxiv_id: [paper_tag(arxiv_id)])
@_friendly_errors
def paper_detail(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """``/papers/<arxiv_id>``; versioned, prefixed or slash-ended ids redirect to the bare id."""
    parsed = parse_arxiv_id(arxiv_id.rstrip("/"))
    if parsed is None:
        raise BadRequest(f"'{arxiv_id[:80]}' is not an arXiv id (like 2401.01234).")
    if parsed.id != arxiv_id:
        return redirect("papers:paper", arxiv_id=parsed.id, permanent=True)
    paper = queries.paper_by_arxiv_id(parsed.id)
    if paper is None and settings.ARXIV_ON_DEMAND:  # fetch it: sources/ondemand.py
        from sources.views import missing_paper

        return missing_paper(request, parsed.id)
    if paper is None:
        raise BadRequest(
            f"We have no paper with arXiv id {parsed.id} yet; it may be on arXiv: "
            f"https://arxiv.org/abs/{parsed.id}"
        )
    card = load_card(paper.pk)
    context = {
        "paper": paper,
        "entries": card.feed_entries[::-1],  # oldest first
        "authorships": card.authorships,
    }
    return render(request, "papers/paper.html", context)


@cache_anonymous_page(lambda request, slug: [author_tag(slug)])
@_friendly_errors
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """``/authors/<slug>``: the author's papers, newest first."""
    author = queries.author_by_slug(slug)
    if author is None:
        raise BadRequest("We have no author with that name.")
    page = _card_page(request, queries.paper_ids_by_author(author))
    context = {"author": author, "page": page, "papers": page.object_list}
    return render(request, "papers/author.html", context)


@cache_anonymous_page(lambda request, slug: [org_tag(slug)])
@_friendly_errors
def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """``/organizations/<slug>``: the organization's papers, newest first."""
    organization = queries.organization_by_slug(slug)
    if organization is None:
        raise BadRequest("We have no organization with that name.")
    page = _card_page(request, queries.paper_ids_of_organization(organization))
    context = {"organization": organization, "page": page, "papers": page.object_list}
    return render(request, "papers/organization.html", context)
