"""Keeping the indexes current when papers change (connected in ``SearchConfig.ready``).

Receivers only enqueue work (``search.tasks``): a web request never waits on the index."""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from search.models import DeletedPaper

log = logging.getLogger(__name__)


def on_papers_changed(sender, paper_ids: list[int] | None = None, **kwargs) -> None:
    """Queue the indexing of these papers (sent after the change committed).

    A search failure must never fail the import that triggered it: the database is the source
    of truth and ``search_index update`` repairs the indexes later, so errors are logged.
    """
    from search.tasks import index_papers

    ids = sorted({int(pid) for pid in paper_ids or []})
    if not ids:
        return
    try:
        index_papers.enqueue(ids)
    except Exception:
        log.exception("indexing of %d papers failed; run `search_index update`", len(ids))


def _enqueue_drop(deleted_at: str) -> None:
    from search.tasks import drop_deleted

    try:
        drop_deleted.enqueue(deleted_at)
    except Exception:
        log.exception("dropping deleted papers from the search index failed; catch-up retries")


def on_paper_deleted(sender, instance, using: str, **kwargs) -> None:
    """Record a tombstone for a deleted paper, in the deleting transaction, so every node's
    ``search_index update`` drops it; this node's own indexes follow after the commit.

    Sent per paper by ``paper.delete()``, ``Paper.objects.filter(...).delete()`` and the
    admin alike. The tombstone write is not caught: if it fails the deletion rolls back
    rather than leaving other nodes unaware of it.
    """
    now = timezone.now()
    DeletedPaper.objects.using(using).bulk_create(
        [DeletedPaper(paper_id=instance.pk, deleted_at=now)],
        update_conflicts=True,
        unique_fields=["paper_id"],
        update_fields=["deleted_at"],
    )
    # Runs now when not in a transaction; discarded with the deletion on rollback.
    transaction.on_commit(partial(_enqueue_drop, now.isoformat()), using=using)
