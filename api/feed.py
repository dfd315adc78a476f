"""The daily feed and paper look-ups in Hugging Face's JSON shape, shared by the HTTP API
and the CLI's local mode so both accept, reject and answer exactly the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from django.utils import timezone

from api.queries import latest_activity
from dailypapers.cache import TRENDING, feed_tags
from papers.arxiv_ids import parse_arxiv_id
from papers.cards import CardEntry, FeedCard, PaperCard, card_by_arxiv_id, feed_cards
from papers.models import Paper
from papers.periods import Kind, Period, PeriodError, day, parse_period
from papers.queries import daily_entries, latest_feed_date, paper_by_arxiv_id
from papers.serializers import hf_daily_item

T = TypeVar("T")
Sort = Literal["publishedAt", "trending"]
MAX_LIMIT = 100
MAX_PAGE = 10_000  # deeper pages are empty anyway; the bound keeps OFFSET sane
TRENDING_POOL = 1000
_KIND_OF: dict[str, Kind] = {"date": "day", "week": "week", "month": "month"}


class InvalidQuery(ValueError):
    """A parameter value we cannot use; the message says which and why."""


class NotFound(LookupError):
    """The thing asked for does not exist here."""


@dataclass(frozen=True)
class FeedQuery:
    date: str | None = None
    week: str | None = None
    month: str | None = None
    submitter: str | None = None
    sort: Sort | None = None
    p: int = 0
    limit: int = 50

    def period(self) -> Period | None:
        """The requested period; without one, the latest day that has papers (None: no papers)."""
        given = {name: getattr(self, name) for name in _KIND_OF if getattr(self, name)}
        if len(given) > 1:
            raise InvalidQuery(f"Give only one of date, week or month (got {', '.join(given)}).")
        if not given:
            latest = latest_feed_date()
            return day(latest) if latest else None
        name, value = next(iter(given.items()))
        try:
            return parse_period(_KIND_OF[name], value)
        except PeriodError as exc:
            raise InvalidQuery(f"Invalid {name}: {exc}.") from None

    def check_bounds(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT} (got {self.limit}).")
        if not 0 <= self.p <= MAX_PAGE:
            raise InvalidQuery(f"p (the page, from 0) must be between 0 and {MAX_PAGE}.")
        if self.sort not in (None, "publishedAt", "trending"):
            raise InvalidQuery("sort must be publishedAt or trending.")


def feed_entries(query: FeedQuery) -> list[FeedCard]:
    """The page of feed entries ``query`` asks for (see ``api.daily`` for the rules)."""
    query.check_bounds()
    start, stop = query.p * query.limit, (query.p + 1) * query.limit
    if query.sort == "trending" and not (query.date or query.week or query.month):
        return _trending_entries(start, stop, query.submitter)
    period = query.period()
    if period is None:
        return []
    order = "newest" if query.sort == "publishedAt" else "upvotes"
    return feed_cards(daily_entries(period, order, submitter=query.submitter or None)[start:stop])


def feed_cache_tags(query: FeedQuery) -> list[str]:
    """What the items of ``query`` depend on (see ``dailypapers.cache``)."""
    if query.sort == "trending" and not (query.date or query.week or query.month):
        return [TRENDING]
    period = query.period()
    return feed_tags(period.start, period.end) if period else []


def feed_items(query: FeedQuery) -> tuple[list[dict[str, Any]], dt.datetime | None]:
    """The HF items of ``query`` and the newest timestamp among them (for Last-Modified)."""
    items = feed_entries(query)
    stamps = [s for i in items for s in (i.entry.created_at, i.paper.updated_at) if s is not None]
    stamps.append(latest_activity([i.paper.pk for i in items]))
    newest = max((s for s in stamps if s is not None), default=None)
    return [hf_daily_item(item.entry, item.paper) for item in items], newest


def _trending_entries(start: int, stop: int, submitter: str | None) -> list[FeedCard]:
    from community.trending import trending_papers

    # A submitter filter needs the whole ranking first so pages stay consistent.
    items = trending_papers("week", timezone.now(), TRENDING_POOL if submitter else stop)
    # Each paper with its latest visible feed entry; papers never on the feed are skipped.
    entries = [FeedCard(i.paper.feed_entries[0], i.paper) for i in items if i.paper.feed_entries]
    if submitter:
        entries = [e for e in entries if submitter in (e.entry.submitter_name, _username(e.entry))]
    return entries[start:stop]


def _username(entry: CardEntry) -> str:
    return entry.submitted_by.username if entry.submitted_by else ""


def _find(arxiv_id: str, lookup: Callable[[str], T | None]) -> T:
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        raise InvalidQuery(f"'{arxiv_id[:100]}' is not an arXiv id (e.g. 2502.04507).")
    found = lookup(parsed.id)
    if found is None:
        raise NotFound(f"No paper with arXiv id {parsed.id} here.")
    return found


def find_paper(arxiv_id: str) -> Paper:
    """The paper (to act on) for an arXiv id in any accepted form (old/new style, version,
    URL)."""
    return _find(arxiv_id, paper_by_arxiv_id)


def find_card(arxiv_id: str) -> PaperCard:
    """The card (to show) of the paper for an arXiv id in any accepted form."""
    return _find(arxiv_id, card_by_arxiv_id)
