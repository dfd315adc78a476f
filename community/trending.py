"""Trending ranking: time-decayed votes and comments, computed in one SQL query.

The formula (published at /about/trending and in community/README.md)::

    decay(age) = 2 ** -(age_hours / H)                H = TRENDING_HALF_LIFE_HOURS
    score = Σ_local votes decay(age of the vote)
          + imported_upvotes * decay(age of the feed date)
          + W * ( Σ_visible comments decay(age of the comment)
                  + imported_comments * decay(age of the feed date) )
                                                      W = TRENDING_COMMENT_WEIGHT

Imported (Hugging Face) upvotes and comments carry no timestamps, so they count as cast at
00:00 UTC of the paper's feed date (its latest visible feed date inside the period). Votes
and comments made after ``now`` are ignored, so a ranking for a past moment is reproducible.
Ties are broken by total upvotes (descending), then arXiv id (ascending).

Periods select papers whose feed date falls in the window ending today: ``today`` is the
latest feed day that has papers (so weekends are not empty), ``week`` the last 7 days,
``month`` the last 30 days.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, FloatField, Func, Max, QuerySet, Sum, Value
from django.db.models.functions import Exp, Greatest
from django.utils import timezone

from community.models import Comment, Vote
from papers.cards import PaperCard, load_cards
from papers.models import DailyEntry, Paper

TrendingPeriod = Literal["today", "week", "month"]
PERIODS: tuple[TrendingPeriod, ...] = ("today", "week", "month")
_PERIOD_DAYS = {"week": 7, "month": 30}


@dataclass
class TrendingItem:
    paper: Paper | PaperCard  # a card in rankings, the page's paper on its own page
    score: float
    explanation: str  # how the score was computed, in words and numbers


class EpochHours(Func):
    """Hours since 1970-01-01 00:00 UTC of a date or datetime expression (SQLite and
    PostgreSQL, the databases dailypapers runs on)."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((julianday(%(expressions)s) - 2440587.5) * 24.0)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(EXTRACT(EPOCH FROM %(expressions)s) / 3600.0)"
        return self.as_sql(compiler, connection, template=template, **extra)


def _hours(moment: dt.datetime) -> float:
    return moment.timestamp() / 3600.0


def _decay_expr(column: Any, now_hours: float, half_life: float) -> Exp:
    """2 ** -(age/H) written as exp(-(now - t) * ln2 / H); age clamped at 0 (no boost)."""
    age = Greatest(Value(now_hours) - EpochHours(column), Value(0.0))
    return Exp(age * Value(-math.log(2) / half_life))


def period_window(period: TrendingPeriod, now: dt.datetime) -> tuple[dt.date, dt.date] | None:
    """The feed dates (inclusive) a period covers at ``now``; None when no feed day exists."""
    today = timezone.localdate(now)
    if period == "today":
        latest = (
            DailyEntry.objects.filter(hidden=False, date__lte=today)
            .order_by("-date")
            .values_list("date", flat=True)
            .first()
        )
        return (latest, latest) if latest else None
    return today - dt.timedelta(days=_PERIOD_DAYS[period] - 1), today


def _window_entries(
    start: dt.date, end: dt.date, paper_id: int | None = None
) -> QuerySet[DailyEntry]:
    entries = DailyEntry.objects.filter(hidden=False, date__gte=start, date__lte=end)
    if paper_id is not None:  # one paper's score: aggregate only its rows
        entries = entries.filter(paper_id=paper_id)
    return entries.order_by()


def _parts_sql(
    start: dt.date, end: dt.date, now: dt.datetime, paper_id: int | None = None
) -> list[tuple[str, tuple]]:
    """SQL (with params) of the three per-paper aggregates: feed date, votes, comments."""
    half_life = settings.TRENDING_HALF_LIFE_HOURS
    now_hours = _hours(now)
    in_window = _window_entries(start, end, paper_id).values("paper_id")
    feed = (
        _window_entries(start, end, paper_id)
        .values("paper_id")
        .annotate(feed_date=Max("date"), feed_decay=_decay_expr(Max("date"), now_hours, half_life))
        .values("paper_id", "feed_date", "feed_decay")
    )
    decayed = Sum(_decay_expr("created_at", now_hours, half_life))
    votes = (
        Vote.objects.filter(created_at__lte=now, paper_id__in=in_window)
        .order_by()
        .values("paper_id")
        .annotate(n=Count("id"), s=decayed)
        .values("paper_id", "n", "s")
    )
    comments = (
        Comment.objects.filter(
            created_at__lte=now, hidden=False, deleted_at__isnull=True, paper_id__in=in_window
        )
        .order_by()
        .values("paper_id")
        .annotate(n=Count("id"), s=decayed)
        .values("paper_id", "n", "s")
    )
    return [qs.query.sql_with_params() for qs in (feed, votes, comments)]


def _scored(
    start: dt.date, end: dt.date, now: dt.datetime, limit: int, paper_id: int | None = None
) -> list[Paper]:
    """Papers on the feed between start and end with every part of their score, best first.

    One statement: the three aggregates are CTEs built by the ORM (so each is computed
    once per paper, portable across SQLite and PostgreSQL), joined to the papers and sorted.
    """
    (feed_sql, feed_params), (vote_sql, vote_params), (comment_sql, comment_params) = _parts_sql(
        start, end, now, paper_id
    )
    paper_table = connection.ops.quote_name(Paper._meta.db_table)
    sql = f"""
        WITH feed AS ({feed_sql}), v AS ({vote_sql}), c AS ({comment_sql})
        SELECT p.*, feed.feed_date AS feed_date, feed.feed_decay AS feed_decay,
               COALESCE(v.n, 0) AS vote_count, COALESCE(v.s, 0.0) AS vote_part,
               COALESCE(c.n, 0) AS comment_count, COALESCE(c.s, 0.0) AS comment_part,
               (COALESCE(v.s, 0.0) + p.imported_upvotes * feed.feed_decay
                + %s * (COALESCE(c.s, 0.0) + p.imported_comments * feed.feed_decay)) AS score
        FROM feed
        JOIN {paper_table} p ON p.id = feed.paper_id
        LEFT JOIN v ON v.paper_id = p.id
        LEFT JOIN c ON c.paper_id = p.id
        ORDER BY score DESC, p.upvotes DESC, p.arxiv_id ASC
        LIMIT %s
    """
    params = [*feed_params, *vote_params, *comment_params, settings.TRENDING_COMMENT_WEIGHT]
    rows = list(Paper.objects.raw(sql, [*params, limit]))
    for row in rows:  # raw SQL returns SQLite dates as text and PostgreSQL sums as Decimal
        if isinstance(row.feed_date, str):
            row.feed_date = dt.date.fromisoformat(row.feed_date[:10])
        for name in ("score", "feed_decay", "vote_part", "comment_part"):
            setattr(row, name, float(getattr(row, name)))
    return rows


def explain(row: Paper, now: dt.datetime) -> str:
    """The exact computation of ``row``'s score, in words and numbers."""
    half_life = settings.TRENDING_HALF_LIFE_HOURS
    weight = settings.TRENDING_COMMENT_WEIGHT
    feed_start = dt.datetime.combine(row.feed_date, dt.time.min, tzinfo=dt.UTC)
    feed_age = max(0.0, (now - feed_start).total_seconds() / 3600)
    imported_votes = row.imported_upvotes * row.feed_decay
    imported_comments = row.imported_comments * row.feed_decay
    return (
        f"score {row.score:.3f} = {row.vote_count} local votes, each worth 2^-(age/{half_life:g}h)"
        f" → {row.vote_part:.3f}"
        f" + {row.imported_upvotes} imported upvotes counted at the feed date {row.feed_date}"
        f" ({feed_age:.1f}h ago, * {row.feed_decay:.4f}) → {imported_votes:.3f}"
        f" + {weight:g} * ({row.comment_count} comments decayed → {row.comment_part:.3f}"
        f" + {row.imported_comments} imported comments * {row.feed_decay:.4f}"
        f" → {imported_comments:.3f})"
    )


def _ranking(period: TrendingPeriod, now: dt.datetime, limit: int) -> list[tuple[int, float, str]]:
    window = period_window(period, now)
    if window is None:
        return []
    rows = _scored(window[0], window[1], now, limit)
    return [(row.pk, row.score, explain(row, now)) for row in rows]


def trending_papers(
    period: TrendingPeriod = "week", now: dt.datetime | None = None, limit: int = 50
) -> list[TrendingItem]:
    """The ``limit`` highest-scoring papers of ``period`` at ``now`` (default: the present).

    The ranking is cached for TRENDING_CACHE_SECONDS when ``now`` is the present; the
    papers themselves are always loaded fresh so counts on the cards are current.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if now is not None or not settings.TRENDING_CACHE_SECONDS:
        ranking = _ranking(period, now or timezone.now(), limit)
    else:
        key = f"trending:{period}:{limit}"
        ranking = cache.get(key)
        if ranking is None:
            ranking = _ranking(period, timezone.now(), limit)
            cache.set(key, ranking, settings.TRENDING_CACHE_SECONDS)
    papers = load_cards(pk for pk, _, _ in ranking)
    return [
        TrendingItem(paper=papers[pk], score=score, explanation=text)
        for pk, score, text in ranking
        if pk in papers
    ]


def paper_trending(paper: Paper, now: dt.datetime | None = None) -> TrendingItem | None:
    """The score of one paper over the month window, for the explanation on its page."""
    now = now or timezone.now()
    start, end = period_window("month", now) or (None, None)
    if start is None or end is None:
        return None
    rows = _scored(start, end, now, 1, paper_id=paper.pk)
    if not rows:
        return None
    row = rows[0]
    return TrendingItem(paper=paper, score=row.score, explanation=explain(row, now))
