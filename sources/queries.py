"""Reads of the sources app: source status (status page, /healthz) and arXiv listings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from papers.models import DailyEntry
from sources.models import ArxivListing, OnDemandFetch, SourceState

SOURCE_NAMES = ("arxiv", "hf", "github")
LABELS = {"arxiv": "arXiv (OAI-PMH)", "hf": "Hugging Face Daily Papers", "github": "GitHub stars"}


def source_enabled(name: str) -> bool:
    return {
        "arxiv": bool(settings.FOLLOW_ARXIV_CATEGORIES),
        "hf": settings.FOLLOW_HF,
        "github": settings.FOLLOW_GITHUB,
    }[name]


@dataclass
class SourceStatus:
    name: str
    label: str
    enabled: bool
    state: SourceState | None
    stale: bool
    running: bool


def _is_stale(state: SourceState | None, now: dt.datetime) -> bool:
    """Not succeeded for FOLLOW_STALE_HOURS (counted from the first try if never)."""
    limit = dt.timedelta(hours=settings.FOLLOW_STALE_HOURS)
    if state is None:
        return False
    since = state.last_success_at or state.last_started_at
    return since is not None and since < now - limit


def source_statuses(now: dt.datetime | None = None) -> list[SourceStatus]:
    now = now or timezone.now()
    states = SourceState.objects.in_bulk(list(SOURCE_NAMES))
    result = []
    for name in SOURCE_NAMES:
        state, on = states.get(name), source_enabled(name)
        running = bool(state and state.lease_owner and state.lease_expires_at > now)
        result.append(
            SourceStatus(name, LABELS[name], on, state, on and _is_stale(state, now), running)
        )
    return result


def source_health(now: dt.datetime | None = None) -> dict[str, Any]:
    """For /healthz: ok unless an enabled source is stale."""
    statuses = [s for s in source_statuses(now) if s.enabled]
    detail = {
        s.name: {
            "stale": s.stale,
            "last_success": s.state.last_success_at.isoformat()
            if s.state and s.state.last_success_at
            else None,
            "last_error": (s.state.last_error[:300] if s.state else "") or None,
        }
        for s in statuses
    }
    return {"ok": not any(s.stale for s in statuses), "enabled": detail}


def listings_on(date: dt.date) -> QuerySet[ArxivListing]:
    """arXiv's announcements of ``date`` in the followed categories, new before cross-lists."""
    return (
        ArxivListing.objects.filter(date=date)
        .select_related("paper")
        .order_by("-kind", "paper__arxiv_id")  # "new" before "cross"
    )


def featured_ids(date: dt.date, paper_ids: list[int]) -> dict[int, bool]:
    """Papers among ``paper_ids`` already on the feed of ``date``: featured or not."""
    rows = DailyEntry.objects.filter(date=date, paper_id__in=paper_ids)
    return dict(rows.values_list("paper_id", "featured"))


def fetch_due(fetch: OnDemandFetch, now: dt.datetime) -> bool:
    """Whether a new on-demand fetch of ``fetch``'s paper should start now."""
    if fetch.status == OnDemandFetch.Status.PENDING:
        return False
    if fetch.status in (OnDemandFetch.Status.DONE, OnDemandFetch.Status.UNAVAILABLE):
        return True  # deleted since, or arXiv was down: try again (rate-limited per client)
    wait = dt.timedelta(minutes=settings.ARXIV_ON_DEMAND_RETRY_MINUTES)
    return fetch.finished_at is None or fetch.finished_at + wait <= now
