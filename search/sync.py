"""Multi-node catch-up: bring this node's copy of the index files up to date from the database.

Papers changed since the last sync are re-indexed, vectors stored since then by any node
are added, and papers deleted since then (``DeletedPaper`` tombstones) are dropped. Changes
are read from a little before the last sync (``applied.SYNC_OVERLAP``), because a row stamped
before a catch-up started may commit after it read the table; ``search.applied`` keeps the
overlap from applying the same rows twice. A restore changes the database's epoch, and a
copy built under another epoch is rebuilt by its next catch-up.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import NamedTuple

from papers.models import Paper
from search import store
from search.applied import (
    SYNC_OVERLAP,
    Applied,
    next_applied,
    read_applied,
    recent_embeddings,
    recent_papers,
    store_applied,
)
from search.indexer import add_vectors, live_version, rebuild, remove_papers, update_keywords
from search.models import DeletedPaper, PaperEmbedding
from search.texts import chunks, model_name
from search.tombstones import TOMBSTONE_DAYS, current_epoch, prune_tombstones
from search.vector_store import Progress

log = logging.getLogger(__name__)
# A day short of the horizon, so that overlap and clock skew never reach a pruned tombstone.
REBUILD_AFTER = dt.timedelta(days=TOMBSTONE_DAYS - 1)


class SyncState(NamedTuple):
    version: Path | None  # the live version
    synced_at: str | None  # its last catch-up (ISO time)
    applied: Applied  # its record of recently applied rows
    epoch: str  # the database epoch it was built under


def sync_state() -> SyncState:
    with store.write_lock():
        version = store.current_version()
        if version is None:
            return SyncState(None, None, Applied(), "")
        manifest = store.read_manifest(version)
        applied = read_applied(version, manifest)
        return SyncState(version, manifest.get("synced_at"), applied, manifest.get("epoch", ""))


def set_synced_at(stamp: str, applied: Applied, read_from: Path | None, epoch: str) -> None:
    """Record a finished catch-up; ``applied`` and the database epoch it started under only
    when the live version is still the one it was read from (a rebuild meanwhile brought
    its own)."""
    with store.write_lock():
        version = live_version()
        manifest = store.read_manifest(version)
        manifest["synced_at"] = stamp
        replaced = None
        if read_from is None or version == read_from:
            manifest["epoch"] = epoch
            replaced = store_applied(version, manifest, applied)
        store.write_manifest(version, manifest)
        if replaced:
            (version / replaced).unlink(missing_ok=True)


class SyncCounts(NamedTuple):
    """What one :func:`catch_up` did to this node's indexes."""

    keyword: int  # papers re-indexed for keywords
    vectors: int  # papers embedded or re-added to the vector index
    removed: int  # deleted papers dropped from the indexes


def catch_up(progress: Progress | None = None, chunk: int = 256) -> SyncCounts:
    """Index papers changed since the last catch-up, vectors stored since then by any node
    and papers without a vector, and drop papers deleted since then (by any node).

    Safe to run at any time and repeatedly (``search_index update --loop``): rows are read
    from ``SYNC_OVERLAP`` before the last sync, and those already applied are skipped, so a
    loop with nothing new writes no index file. A node whose last sync is older than the
    tombstones kept is rebuilt from the database (every paper counted, none removed).
    """
    from django.utils import timezone

    # Taken before anything is read: rows changed while this runs are seen again next time.
    now = timezone.now()
    started = now.isoformat()
    version, since, applied, epoch = sync_state()
    since_at = dt.datetime.fromisoformat(since) if since else None
    db_epoch = current_epoch()
    if version is not None and epoch != db_epoch:
        log.warning("the database was restored since this search index was built: rebuilding it")
        return _rebuild_all(now, progress)
    if since_at is not None and since_at < now - REBUILD_AFTER:
        log.warning(
            "search index last synced at %s, longer ago than deletions are kept (%d days): "
            "rebuilding it from the database",
            since,
            TOMBSTONE_DAYS,
        )
        return _rebuild_all(now, progress)
    removed = apply_tombstones(since_at)
    if removed:
        log.info("dropped %d deleted papers from the search index", removed)
    window = since_at - SYNC_OVERLAP if since_at is not None else None
    papers = recent_papers(window)
    # Without a last sync every paper is re-indexed anyway (its stored vector used).
    embeddings = recent_embeddings(window) if window is not None else {}
    changed = {pid for pid, at in papers.items() if applied.papers.get(pid) != at}
    # A vector another node stored (its embedding task) that this copy lacks; a new hash
    # means a new text, so the paper's keywords are refreshed too.
    stored = {pid for pid, (h, _) in embeddings.items() if applied.vectors.get(pid, ("",))[0] != h}
    reindex = sorted(changed | stored)
    embedded = PaperEmbedding.objects.filter(model_name=model_name()).values("paper_id")
    unembedded = Paper.objects.exclude(pk__in=embedded).values_list("pk", flat=True)
    needs_vectors = sorted(set(reindex) | set(unembedded))
    for keyword_chunk in chunks(reindex):
        update_keywords(keyword_chunk)
    added: dict[int, str] = {}
    for vector_chunk in chunks(needs_vectors, chunk):
        added.update(add_vectors(vector_chunk, progress))
    prune_tombstones(now)
    set_synced_at(started, next_applied(applied, papers, embeddings, added, now), version, db_epoch)
    return SyncCounts(len(reindex), len(needs_vectors), removed)


def _rebuild_all(now: dt.datetime, progress: Progress | None) -> SyncCounts:
    rebuild(progress)
    prune_tombstones(now)
    total = Paper.objects.count()
    return SyncCounts(total, total, 0)


def apply_tombstones(since: dt.datetime | None, wait: bool = True) -> int:
    """Drop papers deleted since ``since`` (all kept tombstones when None) from this node's
    indexes; returns how many were still indexed."""
    tombstones = DeletedPaper.objects.all()
    if since is not None:
        tombstones = tombstones.filter(deleted_at__gte=since - SYNC_OVERLAP)
    ids = list(tombstones.values_list("paper_id", flat=True))
    return remove_papers(ids, wait) if ids else 0
