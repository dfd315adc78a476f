"""Deleted papers and restores as every node sees them: ``DeletedPaper`` tombstones (written
by whichever node deleted a paper, pruned after ``TOMBSTONE_DAYS``) and the database epoch
(``SearchEpoch``), which a restore changes so that every node rebuilds."""

from __future__ import annotations

import datetime as dt
import uuid

from search.models import DeletedPaper, SearchEpoch

# Tombstones (DeletedPaper rows) are kept this long; a node that has not synced for longer
# may have missed pruned ones and rebuilds from the database instead.
TOMBSTONE_DAYS = 30


def current_epoch() -> str:
    """The database's epoch token: "" until the first restore (see ``SearchEpoch``)."""
    return SearchEpoch.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def new_epoch() -> str:
    """Start a new epoch (after a restore): every node's index becomes out of date."""
    from django.utils import timezone

    token = uuid.uuid4().hex
    SearchEpoch.objects.update_or_create(
        pk=1, defaults={"token": token, "changed_at": timezone.now()}
    )
    return token


def prune_tombstones(now: dt.datetime) -> int:
    """Delete tombstones older than ``TOMBSTONE_DAYS``; returns how many."""
    cutoff = now - dt.timedelta(days=TOMBSTONE_DAYS)
    deleted, _ = DeletedPaper.objects.filter(deleted_at__lt=cutoff).delete()
    return deleted
