"""Parsing search parameters from a request, once, into a ``SearchQuery`` (page and API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import QueryDict

from papers.periods import PeriodError, check_date, latest_page_date
from search.service import MODES, SORTS, SearchQuery

PAGE_SIZE = 20
MAX_PAGE = 50  # deeper pages are never useful and only cost ranking depth


@dataclass
class ParsedParams:
    query: SearchQuery
    page: int
    errors: list[str] = field(default_factory=list)


def _date(value: str, label: str, errors: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        date = dt.date.fromisoformat(value)
        check_date(date, latest_page_date(), label)
    except PeriodError as error:
        errors.append(f"{error}; it was ignored.")
        return None
    except ValueError:
        errors.append(f"{label} must be a date like 2025-01-31; it was ignored.")
        return None
    return date


def _page(value: str, errors: list[str]) -> int:
    if not value:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        errors.append(f"page must be a number from 1 to {MAX_PAGE}; showing page 1.")
        return 1
    return int(value)


def parse_params(params: QueryDict) -> ParsedParams:
    """A SearchQuery from GET parameters; bad values are dropped with an explanation."""
    errors: list[str] = []
    mode = params.get("mode", "hybrid")
    sort = params.get("sort", "relevance")
    if mode not in MODES:
        errors.append(f"Unknown mode {mode[:20]!r}; using hybrid.")
        mode = "hybrid"
    if sort not in SORTS:
        errors.append(f"Unknown sort {sort[:20]!r}; sorting by relevance.")
        sort = "relevance"
    date_from = _date(params.get("from", ""), "From", errors)
    date_to = _date(params.get("to", ""), "To", errors)
    if date_from and date_to and date_from > date_to:
        errors.append("From is after To; the dates were swapped.")
        date_from, date_to = date_to, date_from
    page = _page(params.get("page", ""), errors)
    query = SearchQuery(
        q=params.get("q", ""),
        mode=mode,  # type: ignore[arg-type]
        sort=sort,  # type: ignore[arg-type]
        date_from=date_from,
        date_to=date_to,
        organization=params.get("org", "").strip()[:200] or None,
        has_code=params.get("code") in ("1", "on", "true"),
        daily_only=params.get("daily") in ("1", "on", "true"),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return ParsedParams(query, page, errors)
