"""Keeping the indexes current when papers change (connected in ``SearchConfig.ready``)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from search import indexer
from search.models import DeletedPaper

log = logging.getLogger(__name__)


def on_papers_changed(sender, paper_ids: list[int] | None = None, **kwargs) -> None:
    """Index keywords now (milliseconds) and queue the embedding (seconds to minutes).

    A search failure must never fail the import that triggered it: the database is the source
    of truth and ``search_index update`` repairs the indexes later, so errors are logged.
    """
    ids = sorted({int(pid) for pid in paper_ids or []})
    if not ids:
        return
    try:
        indexer.update_keywords(ids)
    except Exception:
        log.exception("keyword indexing of %d papers failed; run `search_index update`", len(ids))
    try:
        from search.tasks import embed_papers

        embed_papers.enqueue(ids)
    except Exception:
        log.exception("embedding of %d papers failed; run `search_index update`", len(ids))


class _PendingRemoval:
    """The papers one transaction deleted, dropped from this node's indexes once it commits
    (one index write per transaction, not per paper: a bulk delete sends one signal each)."""

    def __init__(self, paper_ids: set[int]) -> None:
        self.paper_ids = paper_ids

    def __call__(self) -> None:
        try:
            indexer.remove_papers(self.paper_ids)
        except Exception:
            log.exception(
                "dropping %d deleted papers from the search index failed; "
                "`search_index update` retries",
                len(self.paper_ids),
            )


def _pending_removal(using: str) -> _PendingRemoval | None:
    """The batch already queued to run when the current transaction commits, if any."""
    connection = transaction.get_connection(using)
    for entry in getattr(connection, "run_on_commit", ()):
        if isinstance(entry[1], _PendingRemoval):
            return entry[1]
    return None


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
    pending = _pending_removal(using)
    if pending is not None:
        pending.paper_ids.add(int(instance.pk))
    else:
        # Runs now when not in a transaction; discarded with the deletion on rollback.
        transaction.on_commit(_PendingRemoval({int(instance.pk)}), using=using)
