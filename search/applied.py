"""What an index version took in lately, so that a catch-up's overlap does not apply the same
rows again (see :mod:`search.sync`).

Each version keeps a small write-once record (``applied-<n>.json``, named by the manifest's
``applied`` key, read only by writers under the write lock): paper id -> ``updated_at`` and
paper id -> content hash of the vector added, for rows still inside the overlap.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from papers.models import Paper
from search.models import PaperEmbedding
from search.texts import chunks, content_hash, load_texts, model_name

log = logging.getLogger(__name__)
# Changes are read from a little before the last sync: a row (paper, embedding, tombstone)
# stamped just before a catch-up started may commit after that catch-up read the table, and
# node clocks differ a little. Applying a tombstone twice costs nothing (only ids an index
# still holds are written); papers and vectors already applied are skipped (``applied``).
SYNC_OVERLAP = dt.timedelta(minutes=5)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def usec(when: dt.datetime) -> int:
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


def read_applied(version: Path, manifest: dict) -> Applied:
    name = manifest.get("applied")
    if not name:
        return Applied()
    try:
        return Applied.from_json((version / name).read_text())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # Only costs re-applying the overlap once.
        log.warning("search index record %s unreadable (%s): starting afresh", name, exc)
        return Applied()


def store_applied(version: Path, manifest: dict, applied: Applied) -> str | None:
    """Name ``applied`` in ``manifest`` (a new write-once file, only when it changed); call
    before ``store.write_manifest``. Returns the file it replaces, to delete once the manifest
    is written (only writers read these files, under the write lock)."""
    old = manifest.get("applied")
    if read_applied(version, manifest) == applied:
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


def recent_papers(since: dt.datetime | None) -> dict[int, int]:
    """updated_at (µs) of the papers stamped at or after ``since`` (all when None)."""
    rows = Paper.objects.all()
    if since is not None:
        rows = rows.filter(updated_at__gte=since)
    return {pid: usec(at) for pid, at in rows.values_list("pk", "updated_at").iterator(2000)}


def recent_embeddings(since: dt.datetime) -> dict[int, tuple[str, int]]:
    """(content hash, created_at µs) of this model's vectors stored at or after ``since``."""
    rows = PaperEmbedding.objects.filter(model_name=model_name(), created_at__gte=since)
    fields = rows.values_list("paper_id", "content_hash", "created_at")
    return {pid: (digest, usec(at)) for pid, digest, at in fields.iterator(2000)}


def _stored_hashes(paper_ids: list[int]) -> dict[int, tuple[str, int]]:
    """(content hash, created_at µs) of these papers' stored vectors for this model."""
    found: dict[int, tuple[str, int]] = {}
    for chunk in chunks(paper_ids):
        rows = PaperEmbedding.objects.filter(
            model_name=model_name(), paper_id__in=chunk
        ).values_list("paper_id", "content_hash", "created_at")
        found.update((pid, (digest, usec(at))) for pid, digest, at in rows)
    return found


def current_vectors(embeddings: dict[int, tuple[str, int]]) -> dict[int, tuple[str, int]]:
    """The rows among these whose hash matches their paper's text now (the vector a rebuild
    indexed, unless the text changed since: then the paper's new updated_at re-applies it)."""
    current: dict[int, tuple[str, int]] = {}
    for chunk in chunks(sorted(embeddings)):
        for text in load_texts(chunk):
            row = embeddings[text.paper_id]
            if content_hash(text.embed_text) == row[0]:
                current[text.paper_id] = row
    return current


def next_applied(
    old: Applied,
    papers: dict[int, int],
    embeddings: dict[int, tuple[str, int]],
    added: dict[int, str],
    now: dt.datetime,
) -> Applied:
    """The record after a catch-up that read ``papers`` and ``embeddings`` and added the vectors
    ``added``: entries the next catch-up's overlap (from ``now`` - ``SYNC_OVERLAP``) can no
    longer read are dropped."""
    cutoff = usec(now - SYNC_OVERLAP)
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
        vectors[pid] = (digest, max(usec(now), row[1] if row and row[0] == digest else 0))
    return Applied(
        {pid: at for pid, at in papers.items() if at >= cutoff},
        {pid: entry for pid, entry in vectors.items() if entry[1] >= cutoff},
    )
