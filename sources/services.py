"""Writes of the sources app: source state and leases, arXiv listings, GitHub ETags and
on-demand fetch status. Papers themselves are written only by ``papers.services``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F, Q
from django.utils import timezone

from papers.models import Paper
from sources.models import ArxivListing, GithubRepo, OnDemandFetch, SourceState
from sources.queries import fetch_due


class LeaseLost(Exception):
    """Another runner holds the source's lease (ours expired): stop without writing."""


def _lease_until(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.FOLLOW_LEASE_SECONDS)


def ensure_state(name: str) -> SourceState:
    try:
        state, _ = SourceState.objects.get_or_create(name=name)
    except IntegrityError:  # created by another runner meanwhile
        state = SourceState.objects.get(name=name)
    return state


def claim_lease(
    name: str, owner: str, now: dt.datetime | None = None, dead_owner: str = ""
) -> bool:
    """Take the source for ``owner`` unless another runner holds an unexpired lease
    (``dead_owner``: a holder known to be dead, whose lease may be taken at once).

    One conditional UPDATE: of two runners racing, the database lets exactly one match.
    """
    now = now or timezone.now()
    ensure_state(name)
    free = Q(lease_owner="") | Q(lease_expires_at__lt=now) | Q(lease_owner=owner)
    if dead_owner:
        free |= Q(lease_owner=dead_owner)
    claimed = SourceState.objects.filter(free, name=name).update(
        lease_owner=owner, lease_expires_at=_lease_until(now), last_started_at=now
    )
    return claimed == 1


def renew_lease(name: str, owner: str, cursor: dict[str, Any] | None = None) -> None:
    """Extend ``owner``'s lease (and store ``cursor`` when given); ``LeaseLost`` if it is gone."""
    values: dict[str, Any] = {"lease_expires_at": _lease_until(timezone.now())}
    if cursor is not None:
        values["cursor"] = cursor
    if not SourceState.objects.filter(name=name, lease_owner=owner).update(**values):
        raise LeaseLost(f"{name}: the lease was taken over by another runner")


def release_lease(name: str, owner: str) -> None:
    SourceState.objects.filter(name=name, lease_owner=owner).update(
        lease_owner="", lease_expires_at=None
    )


def record_success(name: str, added: int, updated: int, next_run: dt.datetime) -> None:
    _record_run(name, added, updated, next_run, last_success_at=timezone.now())


def record_failure(name: str, error: str, added: int, updated: int, next_run: dt.datetime) -> None:
    """Keep the error and its time; what was committed before it still counts."""
    _record_run(
        name, added, updated, next_run, last_error=error[:2000], last_error_at=timezone.now()
    )


def _record_run(name: str, added: int, updated: int, next_run: dt.datetime, **outcome: Any) -> None:
    """A run's counts (the totals grow in SQL, safe against a concurrent writer) and outcome."""
    ensure_state(name)
    SourceState.objects.filter(name=name).update(
        last_added=added,
        last_updated=updated,
        total_added=F("total_added") + added,
        total_updated=F("total_updated") + updated,
        next_run_at=next_run,
        **outcome,
    )


# --- arXiv listings ---------------------------------------------------------------------


def add_listings(listings: Iterable[tuple[str, dt.date, str, list[str]]]) -> int:
    """Record first announcements ``(arxiv_id, date, kind, categories)``; papers that already
    have one keep it (a later replacement or re-harvest is not news)."""
    wanted = {arxiv_id: rest for arxiv_id, *rest in listings}
    if not wanted:
        return 0
    ids = dict(Paper.objects.filter(arxiv_id__in=wanted).values_list("arxiv_id", "pk"))
    known = set(
        ArxivListing.objects.filter(paper_id__in=ids.values()).values_list("paper_id", flat=True)
    )
    rows = [
        ArxivListing(paper_id=ids[a], date=date, kind=kind, categories=cats)
        for a, (date, kind, cats) in wanted.items()
        if a in ids and ids[a] not in known
    ]
    ArxivListing.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- GitHub -----------------------------------------------------------------------------


def save_github_answer(url: str, etag: str | None, stars: int | None) -> None:
    """Remember GitHub's ETag and star count for ``url`` (None keeps the stored value)."""
    values: dict[str, Any] = {"checked_at": timezone.now()}
    if etag is not None:
        values["etag"] = etag[:200]
    if stars is not None:
        values["stars"] = stars
    GithubRepo.objects.update_or_create(url=url, defaults=values)


# --- on-demand fetches ------------------------------------------------------------------


def start_fetch(arxiv_id: str, now: dt.datetime | None = None) -> tuple[OnDemandFetch, bool]:
    """The fetch record for ``arxiv_id``, reset to pending when a new try is due; and
    whether the caller should start the fetch now."""
    now = now or timezone.now()
    fetch, created = OnDemandFetch.objects.get_or_create(
        arxiv_id=arxiv_id, defaults={"requested_at": now}
    )
    if created:
        return fetch, True
    if not fetch_due(fetch, now):
        return fetch, False
    updated = OnDemandFetch.objects.filter(pk=fetch.pk, status=fetch.status).update(
        status=OnDemandFetch.Status.PENDING, message="", requested_at=now, finished_at=None
    )
    fetch.refresh_from_db()
    return fetch, updated == 1


def finish_fetch(arxiv_id: str, status: str, message: str = "") -> None:
    OnDemandFetch.objects.filter(arxiv_id=arxiv_id).update(
        status=status, message=message[:1000], finished_at=timezone.now()
    )
