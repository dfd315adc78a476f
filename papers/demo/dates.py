"""Moving the demo's feed days so that its last day is today (or the last weekday).

The bundled demo is a snapshot of real days; loaded as-is, a newcomer some months later
sees "today" and "this week" empty and every trending score at 0.00. ``load_demo`` therefore
shifts every feed appearance by the same number of *weekdays*, so the newest demo day lands
on the most recent weekday, weekends stay empty as on arXiv, and the days keep their order
and spacing. Only the feed appearances move (date and submission time); the papers' arXiv
metadata (publication dates, ids) stays true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from papers.importers.records import PaperRecord
from papers.importers.sources import Item


def target_day(today: dt.date) -> dt.date:
    """The day the newest demo day moves to: today on a weekday, else the last weekday;
    today itself when that weekday would fall in the previous month (so this month's view
    is never empty)."""
    day = today
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day if day.month == today.month else today


def add_weekdays(day: dt.date, count: int) -> dt.date:
    """``day`` moved by ``count`` weekdays (a weekend day moves with its Friday)."""
    step = dt.timedelta(days=1 if count >= 0 else -1)
    moved, left = day, abs(count)
    while left:
        moved += step
        if moved.weekday() < 5:
            left -= 1
    return moved


def weekdays_between(start: dt.date, end: dt.date) -> int:
    """How many weekdays ``end`` is after ``start`` (negative when before)."""
    sign, (low, high) = (1, (start, end)) if start <= end else (-1, (end, start))
    days = (high - low).days
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    count += sum(1 for n in range(1, rest + 1) if (low + dt.timedelta(days=n)).weekday() < 5)
    return sign * count


def shifted(items: Iterable[Item], today: dt.date) -> Iterator[Item]:
    """``items`` with their feed days moved so that the newest one is ``target_day(today)``."""
    items = list(items)
    days = [i.daily.date for i in items if isinstance(i, PaperRecord) and i.daily is not None]
    if not days:
        yield from items
        return
    target = target_day(today)
    newest = max(days)
    count = weekdays_between(newest, target)
    moves: dict[dt.date, dt.timedelta] = {}
    for item in items:
        if isinstance(item, PaperRecord) and item.daily is not None:
            daily = item.daily
            if daily.date not in moves:
                moves[daily.date] = add_weekdays(daily.date, count) - daily.date
            if daily.date == newest and target.weekday() >= 5:
                moves[daily.date] = target - daily.date
            offset = moves[daily.date]
            daily.date += offset
            if daily.submitted_at is not None:
                daily.submitted_at += offset
        yield item
