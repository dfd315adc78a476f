"""Feed periods: a day (YYYY-MM-DD), an ISO week (YYYY-Www) or a month (YYYY-MM).

Parsed once here and used by pages, API, RSS and CLI, so every entry point accepts
and rejects the same strings with the same messages.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from django.utils import timezone

Kind = Literal["day", "week", "month"]

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# Every date a visitor, curator or import gives must fall in this range: arXiv started in
# 1991, and a year ahead is plenty for a feed page yet far from the end of year 9999, where
# date arithmetic (the next day, the next week) overflows.
EARLIEST_DATE = dt.date(1991, 1, 1)
FUTURE_PAGE_DAYS = 366
# Curators may move an entry at most this far past today (time zones differ by a day);
# the newest feed day, shown at /papers, ignores anything later.
FUTURE_ENTRY_DAYS = 1


class PeriodError(ValueError):
    """A period string that is malformed or names an impossible date."""


def latest_page_date(today: dt.date | None = None) -> dt.date:
    """The last day a feed page (HTML, API, CLI) may show."""
    return (today or timezone.localdate()) + dt.timedelta(days=FUTURE_PAGE_DAYS)


def latest_entry_date(today: dt.date | None = None) -> dt.date:
    """The last day a feed entry may be listed on (curator moves, imports)."""
    return (today or timezone.localdate()) + dt.timedelta(days=FUTURE_ENTRY_DAYS)


def check_date(date: dt.date, latest: dt.date, what: str = "The date") -> None:
    """Raise PeriodError unless ``EARLIEST_DATE <= date <= latest``."""
    if date < EARLIEST_DATE:
        raise PeriodError(f"{what} {date} is before {EARLIEST_DATE:%Y}, when arXiv started")
    if date > latest:
        raise PeriodError(f"{what} {date} is too far in the future (at most {latest})")


@dataclass(frozen=True)
class Period:
    kind: Kind
    start: dt.date
    end: dt.date  # inclusive

    @property
    def slug(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.strftime("%A, %B %-d, %Y")
        if self.kind == "week":
            span = f"{self.start:%b %-d} to {self.end:%b %-d}"
            return f"Week {self.slug[-2:]} of {self.slug[:4]} ({span})"
        return self.start.strftime("%B %Y")

    def contains(self, date: dt.date) -> bool:
        return self.start <= date <= self.end


def day(date: dt.date) -> Period:
    return Period("day", date, date)


def week_of(date: dt.date) -> Period:
    start = date - dt.timedelta(days=date.weekday())
    return Period("week", start, start + dt.timedelta(days=6))


def month_of(date: dt.date) -> Period:
    last = calendar.monthrange(date.year, date.month)[1]
    return Period("month", date.replace(day=1), date.replace(day=last))


# The parsers return the first day of the period; parse_period checks it against the range
# before building the period, whose last day could not exist at the end of year 9999.


def _parse_day(value: str) -> dt.date:
    if not _DAY.match(value):
        raise PeriodError(f"'{value}' is not a date in YYYY-MM-DD format")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PeriodError(f"'{value}' is not a real calendar date") from None


def _parse_week(value: str) -> dt.date:
    match = _WEEK.match(value)
    if not match:
        raise PeriodError(f"'{value}' is not a week in YYYY-Www format (e.g. 2025-W07)")
    try:
        monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise PeriodError(f"'{value}' is not a week that exists in {match[1]}") from None
    return monday


def _parse_month(value: str) -> dt.date:
    match = _MONTH.match(value)
    if not match:
        raise PeriodError(f"'{value}' is not a month in YYYY-MM format")
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 1 <= year <= 9999):
        raise PeriodError(f"'{value}' is not a real month")
    return dt.date(year, month, 1)


_PARSERS = {"day": _parse_day, "week": _parse_week, "month": _parse_month}
_BUILDERS = {"day": day, "week": week_of, "month": month_of}


def parse_period(kind: Kind, value: str, today: dt.date | None = None) -> Period:
    """Parse ``value`` as a period of ``kind`` between ``EARLIEST_DATE`` and a year after
    ``today``; raises PeriodError with a readable message."""
    start = _PARSERS[kind](value.strip())
    latest = latest_page_date(today)
    if start > latest:
        check_date(start, latest, f"The {kind}")
    period = _BUILDERS[kind](start)
    if period.end < EARLIEST_DATE:
        check_date(period.end, latest, f"The {kind}")
    return period
