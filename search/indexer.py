"""Writing this node's index files: keyword and vector updates for changed papers, removal
of deleted ones, and full rebuilds from the database. Every write holds ``store.write_lock``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import tantivy

from papers.models import Paper
from search import keyword, store
from search.applied import (
    SYNC_OVERLAP,
    Applied,
    current_vectors,
    recent_embeddings,
    recent_papers,
    store_applied,
)
from search.embedding import get_embedder
from search.segments import compact, mark_removed, needs_compaction, write_base
from search.texts import PaperText, all_paper_ids, chunks, content_hash, load_texts, model_name
from search.tombstones import current_epoch
from search.vector_store import Progress, ensure_embeddings
from search.vectors import save_segment

log = logging.getLogger(__name__)


def keyword_docs(texts: list[PaperText]) -> list[keyword.KeywordDoc]:
    return [keyword.KeywordDoc(t.paper_id, t.title, t.abstract, t.authors) for t in texts]


def live_version() -> Path:
    """The published version, creating an empty one on first use (caller holds the lock)."""
    version = store.current_version()
    if version is None:
        version = store.new_version(model_name(), get_embedder(model_name()).dim)
        store.publish(version)
    return version


def update_keywords(paper_ids: list[int], wait: bool = True) -> list[PaperText]:
    """Make these papers' keyword entries current (fast); returns their texts.

    An index left by an older version with another schema is replaced by a full rebuild
    (the database is the source of truth; stored vectors make that cheap). ``wait=False``:
    raise ``store.IndexBusy`` rather than wait for another writer.
    """
    texts = load_texts(paper_ids)
    gone = set(paper_ids) - {t.paper_id for t in texts}
    with store.write_lock(wait):
        version = live_version()
        try:
            index = keyword.open_index(version / "keyword")
        except keyword.IncompatibleIndex:
            index = None
        if index is not None:
            keyword.write(index, keyword_docs(texts), gone)
            store.write_manifest(version, store.read_manifest(version))
            return texts
    log.warning("keyword index has an old schema: rebuilding all indexes")
    rebuild()
    return texts


def update_vectors(
    paper_ids: list[int], progress: Progress | None = None, wait: bool = True
) -> int:
    """Embed these papers (if needed) and add them to the vector index as a delta segment;
    requested papers no longer in the database are marked removed. Returns papers added."""
    return len(add_vectors(paper_ids, progress, wait))


def add_vectors(
    paper_ids: list[int], progress: Progress | None = None, wait: bool = True
) -> dict[int, str]:
    """``update_vectors``; returns the content hash of each paper whose vector was added."""
    requested = {int(pid) for pid in paper_ids}
    texts = load_texts(requested)
    gone = requested - {t.paper_id for t in texts}
    if not texts and (not gone or store.current_version() is None):
        return {}
    vectors = ensure_embeddings(texts, progress) if texts else None
    ids = np.array([t.paper_id for t in texts], dtype=np.int64)
    with store.write_lock(wait):
        version = live_version()
        manifest = store.read_manifest(version)
        if manifest.get("model") != model_name():
            log.warning("index built with %s, not %s: rebuild", manifest.get("model"), model_name())
            return {}
        dropped = mark_removed(version, manifest, gone)
        if vectors is not None:
            name = f"delta-{manifest['generation'] + 1}"
            manifest["deltas"].append(save_segment(version, name, ids, vectors))
            # A paper added again is live again (its new vector is in the delta).
            added = set(ids.tolist())
            manifest["removed"] = [i for i in manifest.get("removed", []) if i not in added]
        elif not dropped:
            return {}
        if needs_compaction(version, manifest):
            compact(version, manifest)
        store.write_manifest(version, manifest)
    return {t.paper_id: content_hash(t.embed_text) for t in texts}


def _keyword_holds(index: tantivy.Index, paper_ids: list[int]) -> set[int]:
    """The papers among these that have a document in the keyword index."""
    held: set[int] = set()
    for chunk in chunks(paper_ids):
        query = tantivy.Query.term_set_query(index.schema, "id", chunk)
        held.update(pid for pid, _ in keyword.run(index, query, len(chunk)))
    return held


def _existing(paper_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(paper_ids):
        found.update(Paper.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def remove_papers(paper_ids: Iterable[int], wait: bool = True) -> int:
    """Drop deleted papers from this node's keyword and vector indexes; returns how many
    papers were still in either.

    Ids of papers that exist in the database are ignored (the row wins over a tombstone), and
    ids no index holds cost no write, so stale or repeated calls are harmless.
    """
    wanted = sorted({int(pid) for pid in paper_ids})
    gone = sorted(set(wanted) - _existing(wanted))
    if not gone or store.current_version() is None:
        return 0
    with store.write_lock(wait):
        version = store.current_version()
        if version is None:
            return 0
        manifest = store.read_manifest(version)
        try:
            index = keyword.open_index(version / "keyword")
        except keyword.IncompatibleIndex:
            index = None  # the next keyword update rebuilds everything anyway
        in_keyword = _keyword_holds(index, gone) if index is not None else set()
        if in_keyword:
            keyword.write(index, [], sorted(in_keyword))
        in_vectors = mark_removed(version, manifest, gone)
        if in_vectors and needs_compaction(version, manifest):
            compact(version, manifest)
        if in_keyword or in_vectors:
            # Also after a keyword-only change: readers reopen when the manifest changes.
            store.write_manifest(version, manifest)
    return len(in_keyword | in_vectors)


def rebuild(progress: Progress | None = None) -> Path:
    """Write every index from the database into a new version directory, then publish it."""
    from django.utils import timezone

    model = model_name()
    now = timezone.now()
    epoch = current_epoch()  # read first: a restore meanwhile makes the next catch-up rebuild
    with store.write_lock():
        version = store.new_version(model, get_embedder(model).dim)
        # Read before the texts, so each text indexed is at least as new as its stamp here.
        papers = recent_papers(now - SYNC_OVERLAP)
        index = keyword.open_index(version / "keyword")
        all_ids: list[np.ndarray] = []
        all_vectors: list[np.ndarray] = []
        chunks = list(all_paper_ids())
        docs = (d for c in chunks for d in keyword_docs(load_texts(c)))
        keyword.build(index, docs)
        for chunk in chunks:
            texts = load_texts(chunk)
            all_vectors.append(ensure_embeddings(texts, progress))
            all_ids.append(np.array([t.paper_id for t in texts], dtype=np.int64))
        manifest = store.read_manifest(version)
        manifest["synced_at"] = now.isoformat()
        manifest["epoch"] = epoch
        if all_ids:
            write_base(version, manifest, np.concatenate(all_ids), np.concatenate(all_vectors))
        # Recent rows (this rebuild's own embeddings included) are known to this version: the
        # first catch-up's overlap must not apply them again.
        vectors = current_vectors(recent_embeddings(now - SYNC_OVERLAP))
        store_applied(version, manifest, Applied(papers, vectors))
        store.write_manifest(version, manifest)
        store.publish(version)
    return version
