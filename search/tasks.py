"""Index work that web requests hand off: they never write the index files themselves.

An import, submission or curator action sends ``papers_changed`` after its commit; the
search app enqueues :func:`index_papers` (run inline by the default ImmediateBackend, by a
worker with the database backend). Every task gives up at once, instead of waiting, when
another process holds the index write lock (a rebuild takes minutes at 1M papers): the
catch-up (``search_index update --loop``) indexes the papers later, because it re-reads
every paper whose ``updated_at`` or stored vector changed since its last run, and every
tombstone.
"""

from __future__ import annotations

import datetime as dt
import logging

from django_tasks import task

from search import indexer, sync
from search.store import IndexBusy

log = logging.getLogger(__name__)


@task()
def index_papers(paper_ids: list[int]) -> int:
    """Update these papers' keyword entries, then embed them and add their vectors; returns
    how many vectors were added (0 when the index was busy: the catch-up does it)."""
    ids = sorted({int(pid) for pid in paper_ids})
    try:
        indexer.update_keywords(ids, wait=False)
        return indexer.update_vectors(ids, wait=False)
    except IndexBusy:
        log.info("search index busy: %d papers are left to the catch-up", len(ids))
        return 0


# When this process last started applying tombstones: a transaction that deletes many papers
# enqueues one task per paper, and the first one run after the commit drops them all.
_last_applied: dt.datetime | None = None


@task()
def drop_deleted(deleted_at: str) -> int:
    """Drop papers deleted since ``deleted_at`` (ISO time) from this node's indexes; returns
    how many were still indexed."""
    global _last_applied
    since = dt.datetime.fromisoformat(deleted_at)
    if _last_applied is not None and since < _last_applied:
        return 0
    started = dt.datetime.now(dt.UTC)
    try:
        removed = sync.apply_tombstones(since, wait=False)
    except IndexBusy:
        log.info("search index busy: deleted papers are left to the catch-up")
        return 0
    _last_applied = started
    return removed
