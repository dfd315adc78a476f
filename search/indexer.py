"""Keeping the derived indexes in step with the database: incremental updates and rebuilds.

Embeddings are computed once per (paper, model, text) and stored in ``PaperEmbedding``; the
demo's are shipped precomputed in ``search/demo/`` so a fresh demo is searchable at once.

Every node (web machine) keeps its own copy of the index files. ``catch_up`` brings a copy
up to date from the database: papers changed since its last sync are re-indexed, vectors
stored since then by any node are added, and papers deleted since then (``DeletedPaper``
tombstones, written by whichever node deleted them) are dropped from the keyword index and
marked removed in the vector manifest.

Changes are read from a little before the last sync (``SYNC_OVERLAP``), because a row stamped
before a catch-up started may commit after it read the table. So that the overlap does not
re-apply the same rows on every loop, each version keeps a small record of what it took in
lately (``applied-<n>.json``, named by the manifest's ``applied`` key, written once and read
only by writers under the write lock): paper id -> ``updated_at`` and paper id -> content hash
of the vector added, for rows still inside the overlap. Only rows not in it are applied.

A restore replaces the rows wholesale (old stamps, no tombstones), which no catch-up can
follow: it changes the database's epoch (``SearchEpoch``), and a copy built under another
epoch is rebuilt by its next catch-up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import tantivy
from django.conf import settings
from django.db.models import Prefetch

from papers.models import Paper, PaperAuthor
from search import keyword, store
from search.embedding import get_embedder, paper_text
from search.models import DeletedPaper, PaperEmbedding, SearchEpoch
from search.vectors import build_ann, load_segment, save_segment

log = logging.getLogger(__name__)
DEMO_DIR = Path(__file__).resolve().parent / "demo"
CHUNK = 1000
EMBED_BATCH = 64
Progress = Callable[[int], None]
# Tombstones (DeletedPaper rows) are kept this long; a node that has not synced for longer
# may have missed pruned ones and rebuilds from the database instead.
TOMBSTONE_DAYS = 30
# Changes are read from a little before the last sync: a row (paper, embedding, tombstone)
# stamped just before a catch-up started may commit after that catch-up read the table, and
# node clocks differ a little. Applying a tombstone twice costs nothing (only ids an index
# still holds are written); papers and vectors already applied are skipped (``applied``).
SYNC_OVERLAP = dt.timedelta(minutes=5)
# A day short of the horizon, so that overlap and clock skew never reach a pruned tombstone.
REBUILD_AFTER = dt.timedelta(days=TOMBSTONE_DAYS - 1)


@dataclass(frozen=True)
class PaperText:
    paper_id: int
    arxiv_id: str
    title: str
    abstract: str
    authors: str

    @property
    def embed_text(self) -> str:
        return paper_text(self.title, self.abstract)


def model_name() -> str:
    return settings.SEARCH_EMBEDDING_MODEL


def content_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:16]


def load_texts(paper_ids: Iterable[int]) -> list[PaperText]:
    """Title, abstract and author names of these papers (missing ids are skipped)."""
    authorships = Prefetch(
        "authorships", queryset=PaperAuthor.objects.select_related("author").order_by("position")
    )
    papers = Paper.objects.filter(pk__in=list(paper_ids)).prefetch_related(authorships)
    return [
        PaperText(
            p.pk,
            p.arxiv_id,
            p.title,
            p.abstract,
            ", ".join(a.author.name for a in p.authorships.all()),
        )
        for p in papers.only("id", "arxiv_id", "title", "abstract")
    ]


def _chunks(ids: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    """``ids`` in consecutive slices of ``size`` (bounded SQL parameters and index writes)."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def all_paper_ids() -> Iterator[list[int]]:
    yield from _chunks(list(Paper.objects.order_by("pk").values_list("pk", flat=True)))


# Directories searched for precomputed ``<model>.npz`` files (tests add their fixture's).
VECTOR_DIRS: list[Path] = [DEMO_DIR]


def _demo_vectors(model: str) -> dict[tuple[str, str], np.ndarray]:
    """Shipped vectors keyed by (arXiv id, content hash); empty when none for this model."""
    return _load_vector_files(tuple(d / f"{model}.npz" for d in VECTOR_DIRS))


@cache
def _load_vector_files(paths: tuple[Path, ...]) -> dict[tuple[str, str], np.ndarray]:
    found: dict[tuple[str, str], np.ndarray] = {}
    for path in paths:
        if path.exists():
            with np.load(path) as data:
                keys = zip(data["arxiv_ids"].tolist(), data["hashes"].tolist(), strict=True)
                found.update(zip(keys, data["vectors"], strict=True))
    return found


def ensure_embeddings(texts: list[PaperText], progress: Progress | None = None) -> np.ndarray:
    """Vectors (float32, one row per text), embedding only texts not stored yet."""
    model = model_name()
    hashes = [content_hash(t.embed_text) for t in texts]
    stored = {
        e.paper_id: e
        for e in PaperEmbedding.objects.filter(
            model_name=model, paper_id__in=[t.paper_id for t in texts]
        )
    }
    vectors = np.zeros((len(texts), get_embedder(model).dim), dtype=np.float32)
    missing: list[int] = []
    demo = _demo_vectors(model)
    for row, (text, digest) in enumerate(zip(texts, hashes, strict=True)):
        known = stored.get(text.paper_id)
        if known is not None and known.content_hash == digest:
            vectors[row] = known.as_array()
        elif (text.arxiv_id, digest) in demo:
            vectors[row] = demo[(text.arxiv_id, digest)]
            missing.append(row)  # not in the table yet: saved below, but not embedded
        else:
            missing.append(row)
    to_embed = [r for r in missing if (texts[r].arxiv_id, hashes[r]) not in demo]
    for start in range(0, len(to_embed), EMBED_BATCH):
        batch = to_embed[start : start + EMBED_BATCH]
        vectors[batch] = get_embedder(model).embed([texts[r].embed_text for r in batch])
        if progress:
            progress(len(batch))
    _save_embeddings(model, [(texts[r].paper_id, hashes[r], vectors[r]) for r in missing])
    return vectors


def _save_embeddings(model: str, rows: list[tuple[int, str, np.ndarray]]) -> None:
    objs = [
        PaperEmbedding(
            paper_id=pid, model_name=model, content_hash=h, vector=v.astype(np.float16).tobytes()
        )
        for pid, h, v in rows
    ]
    PaperEmbedding.objects.bulk_create(
        objs,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["paper", "model_name"],
        update_fields=["content_hash", "vector", "created_at"],
    )


def _keyword_docs(texts: list[PaperText]) -> list[keyword.KeywordDoc]:
    return [keyword.KeywordDoc(t.paper_id, t.title, t.abstract, t.authors) for t in texts]


def _live_version() -> Path:
    """The published version, creating an empty one on first use (caller holds the lock)."""
    version = store.current_version()
    if version is None:
        version = store.new_version(model_name(), get_embedder(model_name()).dim)
        store.publish(version)
    return version


def update_keywords(paper_ids: list[int]) -> list[PaperText]:
    """Make these papers' keyword entries current (fast); returns their texts.

    An index left by an older version with another schema is replaced by a full rebuild
    (the database is the source of truth; stored vectors make that cheap).
    """
    texts = load_texts(paper_ids)
    gone = set(paper_ids) - {t.paper_id for t in texts}
    with store.write_lock():
        version = _live_version()
        try:
            index = keyword.open_index(version / "keyword")
        except keyword.IncompatibleIndex:
            index = None
        if index is not None:
            keyword.write(index, _keyword_docs(texts), gone)
            store.write_manifest(version, store.read_manifest(version))
            return texts
    log.warning("keyword index has an old schema: rebuilding all indexes")
    rebuild()
    return texts


def update_vectors(paper_ids: list[int], progress: Progress | None = None) -> int:
    """Embed these papers (if needed) and add them to the vector index as a delta segment;
    requested papers no longer in the database are marked removed. Returns papers added."""
    return len(_update_vectors(paper_ids, progress))


def _update_vectors(paper_ids: list[int], progress: Progress | None = None) -> dict[int, str]:
    """``update_vectors``; returns the content hash of each paper whose vector was added."""
    requested = {int(pid) for pid in paper_ids}
    texts = load_texts(requested)
    gone = requested - {t.paper_id for t in texts}
    if not texts and (not gone or store.current_version() is None):
        return {}
    vectors = ensure_embeddings(texts, progress) if texts else None
    ids = np.array([t.paper_id for t in texts], dtype=np.int64)
    with store.write_lock():
        version = _live_version()
        manifest = store.read_manifest(version)
        if manifest.get("model") != model_name():
            log.warning("index built with %s, not %s: rebuild", manifest.get("model"), model_name())
            return {}
        dropped = _mark_removed(version, manifest, gone)
        if vectors is not None:
            name = f"delta-{manifest['generation'] + 1}"
            manifest["deltas"].append(save_segment(version, name, ids, vectors))
            # A paper added again is live again (its new vector is in the delta).
            added = set(ids.tolist())
            manifest["removed"] = [i for i in manifest.get("removed", []) if i not in added]
        elif not dropped:
            return {}
        if _needs_compaction(version, manifest):
            _compact(version, manifest)
        store.write_manifest(version, manifest)
    return {t.paper_id: content_hash(t.embed_text) for t in texts}


def _needs_compaction(version: Path, manifest: dict) -> bool:
    pending = _delta_rows(version, manifest) + len(manifest.get("removed", []))
    return pending > max(1000, 0.1 * _base_rows(version, manifest))


def _segment_names(manifest: dict) -> list[str]:
    base = [manifest["base"]["segment"]] if manifest.get("base") else []
    return base + list(manifest.get("deltas", []))


def _mark_removed(version: Path, manifest: dict, paper_ids: Iterable[int]) -> set[int]:
    """Add the papers among these that have a live vector to the manifest's ``removed`` list
    (searches skip them, the next compaction leaves them out); returns those papers."""
    removed = set(manifest.get("removed", []))
    wanted = np.array(sorted(set(paper_ids) - removed), dtype=np.int64)
    present: set[int] = set()
    for name in _segment_names(manifest) if len(wanted) else []:
        segment_ids = np.load(version / f"{name}.ids.npy", mmap_mode="r")
        present.update(wanted[np.isin(wanted, segment_ids)].tolist())
    if present:
        manifest["removed"] = sorted(removed | present)
    return present


def _keyword_holds(index: tantivy.Index, paper_ids: list[int]) -> set[int]:
    """The papers among these that have a document in the keyword index."""
    held: set[int] = set()
    for chunk in _chunks(paper_ids):
        query = tantivy.Query.term_set_query(index.schema, "id", chunk)
        held.update(pid for pid, _ in keyword.run(index, query, len(chunk)))
    return held


def _existing(paper_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(paper_ids):
        found.update(Paper.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def remove_papers(paper_ids: Iterable[int]) -> int:
    """Drop deleted papers from this node's keyword and vector indexes; returns how many
    papers were still in either.

    Ids of papers that exist in the database are ignored (the row wins over a tombstone), and
    ids no index holds cost no write, so stale or repeated calls are harmless.
    """
    wanted = sorted({int(pid) for pid in paper_ids})
    gone = sorted(set(wanted) - _existing(wanted))
    if not gone or store.current_version() is None:
        return 0
    with store.write_lock():
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
        in_vectors = _mark_removed(version, manifest, gone)
        if in_vectors and _needs_compaction(version, manifest):
            _compact(version, manifest)
        if in_keyword or in_vectors:
            # Also after a keyword-only change: readers reopen when the manifest changes.
            store.write_manifest(version, manifest)
    return len(in_keyword | in_vectors)


def _base_rows(version: Path, manifest: dict) -> int:
    return int(manifest["base"]["count"]) if manifest.get("base") else 0


def _delta_rows(version: Path, manifest: dict) -> int:
    return sum(len(np.load(version / f"{n}.ids.npy", mmap_mode="r")) for n in manifest["deltas"])


def _compact(version: Path, manifest: dict) -> None:
    """Merge the deltas into a new base segment (the newest vector of a paper wins), leaving
    out removed papers for good."""
    parts = [load_segment(version, name) for name in _segment_names(manifest)]
    removed = np.array(manifest.get("removed", []), dtype=np.int64)
    manifest["removed"] = []
    manifest["deltas"] = []
    if not parts:
        return
    ids = np.concatenate([p[0] for p in parts])
    vectors = np.concatenate([np.asarray(p[1]) for p in parts])
    # np.unique on the reversed array keeps each id's last occurrence.
    _, last = np.unique(ids[::-1], return_index=True)
    keep = np.sort(len(ids) - 1 - last)
    keep = keep[~np.isin(ids[keep], removed)]
    _write_base(version, manifest, ids[keep], vectors[keep])


def _write_base(version: Path, manifest: dict, ids: np.ndarray, vectors: np.ndarray) -> None:
    name = f"base-{manifest['generation'] + 1}"
    save_segment(version, name, ids, vectors)
    ann = build_ann(version, f"{name}.usearch", ids, vectors, settings.SEARCH_ANN_MIN_VECTORS)
    manifest["base"] = {"segment": name, "ann": ann, "count": len(ids)}


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


def rebuild(progress: Progress | None = None) -> Path:
    """Write every index from the database into a new version directory, then publish it."""
    from django.utils import timezone

    model = model_name()
    now = timezone.now()
    epoch = current_epoch()  # read first: a restore meanwhile makes the next catch-up rebuild
    with store.write_lock():
        version = store.new_version(model, get_embedder(model).dim)
        # Read before the texts, so each text indexed is at least as new as its stamp here.
        papers = _recent_papers(now - SYNC_OVERLAP)
        index = keyword.open_index(version / "keyword")
        all_ids: list[np.ndarray] = []
        all_vectors: list[np.ndarray] = []
        chunks = list(all_paper_ids())
        docs = (d for c in chunks for d in _keyword_docs(load_texts(c)))
        keyword.build(index, docs)
        for chunk in chunks:
            texts = load_texts(chunk)
            all_vectors.append(ensure_embeddings(texts, progress))
            all_ids.append(np.array([t.paper_id for t in texts], dtype=np.int64))
        manifest = store.read_manifest(version)
        manifest["synced_at"] = now.isoformat()
        manifest["epoch"] = epoch
        if all_ids:
            _write_base(version, manifest, np.concatenate(all_ids), np.concatenate(all_vectors))
        # Recent rows (this rebuild's own embeddings included) are known to this version: the
        # first catch-up's overlap must not apply them again.
        vectors = _current_vectors(_recent_embeddings(now - SYNC_OVERLAP))
        _store_applied(version, manifest, Applied(papers, vectors))
        store.write_manifest(version, manifest)
        store.publish(version)
    return version


# --- what a version took in lately ---------------------------------------------------------

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _usec(when: dt.datetime) -> int:
    """Microseconds since the epoch: exact, and compact in JSON."""
    return (when - _EPOCH) // dt.timedelta(microseconds=1)


@dataclass
class Applied:
    """Rows a version has taken in that a catch-up's overlap still reads (see the module doc)."""

    papers: dict[int, int] = field(default_factory=dict)  # paper id -> updated_at (µs)
    # paper id -> (content hash of the vector added, stamp in µs: the newer of when it was
    # added and the stored row's created_at, so the entry lives as long as the row is re-read)
    vectors: dict[int, tuple[str, int]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "papers": [[pid, at] for pid, at in sorted(self.papers.items())],
                "vectors": [[pid, h, at] for pid, (h, at) in sorted(self.vectors.items())],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Applied:
        data = json.loads(text)
        return cls(
            {int(pid): int(at) for pid, at in data["papers"]},
            {int(pid): (str(h), int(at)) for pid, h, at in data["vectors"]},
        )


def _read_applied(version: Path, manifest: dict) -> Applied:
    name = manifest.get("applied")
    if not name:
        return Applied()
    try:
        return Applied.from_json((version / name).read_text())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # Only costs re-applying the overlap once.
        log.warning("search index record %s unreadable (%s): starting afresh", name, exc)
        return Applied()


def _store_applied(version: Path, manifest: dict, applied: Applied) -> str | None:
    """Name ``applied`` in ``manifest`` (a new write-once file, only when it changed); call
    before ``store.write_manifest``. Returns the file it replaces, to delete once the manifest
    is written (only writers read these files, under the write lock)."""
    old = manifest.get("applied")
    if _read_applied(version, manifest) == applied:
        return None
    if not applied.papers and not applied.vectors:
        manifest.pop("applied", None)
        return old
    name = f"applied-{manifest['generation'] + 1}.json"
    tmp = version / f".{name}.tmp"
    tmp.write_text(applied.to_json())
    tmp.replace(version / name)
    manifest["applied"] = name
    return old if old != name else None


def _recent_papers(since: dt.datetime | None) -> dict[int, int]:
    """updated_at (µs) of the papers stamped at or after ``since`` (all when None)."""
    rows = Paper.objects.all()
    if since is not None:
        rows = rows.filter(updated_at__gte=since)
    return {pid: _usec(at) for pid, at in rows.values_list("pk", "updated_at").iterator(2000)}


def _recent_embeddings(since: dt.datetime) -> dict[int, tuple[str, int]]:
    """(content hash, created_at µs) of this model's vectors stored at or after ``since``."""
    rows = PaperEmbedding.objects.filter(model_name=model_name(), created_at__gte=since)
    fields = rows.values_list("paper_id", "content_hash", "created_at")
    return {pid: (digest, _usec(at)) for pid, digest, at in fields.iterator(2000)}


def _stored_hashes(paper_ids: list[int]) -> dict[int, tuple[str, int]]:
    """(content hash, created_at µs) of these papers' stored vectors for this model."""
    found: dict[int, tuple[str, int]] = {}
    for chunk in _chunks(paper_ids):
        rows = PaperEmbedding.objects.filter(
            model_name=model_name(), paper_id__in=chunk
        ).values_list("paper_id", "content_hash", "created_at")
        found.update((pid, (digest, _usec(at))) for pid, digest, at in rows)
    return found


def _current_vectors(embeddings: dict[int, tuple[str, int]]) -> dict[int, tuple[str, int]]:
    """The rows among these whose hash matches their paper's text now (the vector a rebuild
    indexed, unless the text changed since: then the paper's new updated_at re-applies it)."""
    current: dict[int, tuple[str, int]] = {}
    for chunk in _chunks(sorted(embeddings)):
        for text in load_texts(chunk):
            row = embeddings[text.paper_id]
            if content_hash(text.embed_text) == row[0]:
                current[text.paper_id] = row
    return current


def _next_applied(
    old: Applied,
    papers: dict[int, int],
    embeddings: dict[int, tuple[str, int]],
    added: dict[int, str],
    now: dt.datetime,
) -> Applied:
    """The record after a catch-up that read ``papers`` and ``embeddings`` and added the vectors
    ``added``: entries the next catch-up's overlap (from ``now`` - ``SYNC_OVERLAP``) can no
    longer read are dropped."""
    cutoff = _usec(now - SYNC_OVERLAP)
    vectors = dict(old.vectors)
    for pid, (digest, at) in embeddings.items():
        known = vectors.get(pid)
        if known is not None and known[0] == digest:
            vectors[pid] = (digest, max(known[1], at))
    # The rows of vectors added now, read back: those this catch-up embedded were stored
    # after ``now``, and stamping the entry with the row's own time keeps the next loops,
    # which read that row again, from rewriting the record.
    rows = _stored_hashes(sorted(added))
    for pid, digest in added.items():
        row = rows.get(pid)
        vectors[pid] = (digest, max(_usec(now), row[1] if row and row[0] == digest else 0))
    return Applied(
        {pid: at for pid, at in papers.items() if at >= cutoff},
        {pid: entry for pid, entry in vectors.items() if entry[1] >= cutoff},
    )


class SyncState(NamedTuple):
    version: Path | None  # the live version
    synced_at: str | None  # its last catch-up (ISO time)
    applied: Applied  # its record of recently applied rows
    epoch: str  # the database epoch it was built under


def _sync_state() -> SyncState:
    with store.write_lock():
        version = store.current_version()
        if version is None:
            return SyncState(None, None, Applied(), "")
        manifest = store.read_manifest(version)
        applied = _read_applied(version, manifest)
        return SyncState(version, manifest.get("synced_at"), applied, manifest.get("epoch", ""))


def _set_synced_at(stamp: str, applied: Applied, read_from: Path | None, epoch: str) -> None:
    """Record a finished catch-up; ``applied`` and the database epoch it started under only
    when the live version is still the one it was read from (a rebuild meanwhile brought
    its own)."""
    with store.write_lock():
        version = _live_version()
        manifest = store.read_manifest(version)
        manifest["synced_at"] = stamp
        replaced = None
        if read_from is None or version == read_from:
            manifest["epoch"] = epoch
            replaced = _store_applied(version, manifest, applied)
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
    version, since, applied, epoch = _sync_state()
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
    papers = _recent_papers(window)
    # Without a last sync every paper is re-indexed anyway (its stored vector used).
    embeddings = _recent_embeddings(window) if window is not None else {}
    changed = {pid for pid, at in papers.items() if applied.papers.get(pid) != at}
    # A vector another node stored (its embedding task) that this copy lacks; a new hash
    # means a new text, so the paper's keywords are refreshed too.
    stored = {pid for pid, (h, _) in embeddings.items() if applied.vectors.get(pid, ("",))[0] != h}
    reindex = sorted(changed | stored)
    embedded = PaperEmbedding.objects.filter(model_name=model_name()).values("paper_id")
    unembedded = Paper.objects.exclude(pk__in=embedded).values_list("pk", flat=True)
    needs_vectors = sorted(set(reindex) | set(unembedded))
    for keyword_chunk in _chunks(reindex):
        update_keywords(keyword_chunk)
    added: dict[int, str] = {}
    for vector_chunk in _chunks(needs_vectors, chunk):
        added.update(_update_vectors(vector_chunk, progress))
    prune_tombstones(now)
    _set_synced_at(
        started, _next_applied(applied, papers, embeddings, added, now), version, db_epoch
    )
    return SyncCounts(len(reindex), len(needs_vectors), removed)


def _rebuild_all(now: dt.datetime, progress: Progress | None) -> SyncCounts:
    rebuild(progress)
    prune_tombstones(now)
    total = Paper.objects.count()
    return SyncCounts(total, total, 0)


def apply_tombstones(since: dt.datetime | None) -> int:
    """Drop papers deleted since ``since`` (all kept tombstones when None) from this node's
    indexes; returns how many were still indexed."""
    tombstones = DeletedPaper.objects.all()
    if since is not None:
        tombstones = tombstones.filter(deleted_at__gte=since - SYNC_OVERLAP)
    ids = list(tombstones.values_list("paper_id", flat=True))
    return remove_papers(ids) if ids else 0


def prune_tombstones(now: dt.datetime) -> int:
    """Delete tombstones older than ``TOMBSTONE_DAYS``; returns how many."""
    cutoff = now - dt.timedelta(days=TOMBSTONE_DAYS)
    deleted, _ = DeletedPaper.objects.filter(deleted_at__lt=cutoff).delete()
    return deleted


def export_demo_vectors(path: Path) -> int:
    """Write the stored vectors of every paper (arXiv id, content hash, float16 vector) to a
    compressed .npz that ``ensure_embeddings`` uses instead of running the model."""
    model = model_name()
    rows = PaperEmbedding.objects.filter(model_name=model).select_related("paper")
    arxiv_ids, hashes, vectors = [], [], []
    for row in rows.iterator(chunk_size=2000):
        arxiv_ids.append(row.paper.arxiv_id)
        hashes.append(row.content_hash)
        vectors.append(np.frombuffer(bytes(row.vector), dtype=np.float16))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        arxiv_ids=np.array(arxiv_ids, dtype=str),
        hashes=np.array(hashes, dtype=str),
        vectors=np.array(vectors, dtype=np.float16).reshape(len(vectors), -1),
    )
    return len(arxiv_ids)
