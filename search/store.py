"""Where the derived index files live, how writers publish them and how readers follow.

Layout under ``settings.SEARCH_INDEX_DIR``::

    CURRENT              name of the live version directory (replaced atomically)
    .write.lock          writers hold an exclusive flock while they change anything
    v-<stamp>/keyword/   tantivy index
    v-<stamp>/manifest.json   live vector segments, model, generation (replaced atomically)
    v-<stamp>/*.npy, *.usearch   write-once vector segments

A rebuild writes a whole new version directory and then replaces CURRENT; an incremental
update commits to tantivy and adds a segment, then replaces the manifest. Readers compare
two ``stat`` results per query and reopen when either file changed, so every server process
follows writers within one query and never reads a partial file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import tantivy
from django.conf import settings

from search import keyword
from search.vectors import VectorSet, open_vector_set

FORMAT = 1
KEEP_OLD_VERSIONS = 1  # old directories kept for readers still using them

log = logging.getLogger(__name__)


def index_dir() -> Path:
    return Path(settings.SEARCH_INDEX_DIR)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def write_lock(wait: bool = True) -> Iterator[None]:
    """One writer at a time across processes (the import command, workers, a rebuild).

    ``wait=False``: raise :class:`IndexBusy` at once instead of waiting for another writer
    (for work started by a web request, which must never wait on a rebuild).
    """
    root = index_dir()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".write.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy("another process is writing the search index") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class IndexBusy(RuntimeError):
    """Another process holds the index write lock."""


def current_version() -> Path | None:
    try:
        name = (index_dir() / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    path = index_dir() / name
    return path if name and path.is_dir() else None


def read_manifest(version: Path) -> dict:
    return json.loads((version / "manifest.json").read_text())


def write_manifest(version: Path, manifest: dict) -> None:
    manifest["generation"] = int(manifest.get("generation", 0)) + 1
    manifest["updated_at"] = time.time()
    _write_atomic(version / "manifest.json", json.dumps(manifest, indent=1))


def new_version(model: str, dim: int) -> Path:
    """An empty, unpublished version directory."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = index_dir() / f"v-{stamp}-{uuid.uuid4().hex[:6]}"
    path.mkdir(parents=True)
    keyword.open_index(path / "keyword")
    manifest = {"format": FORMAT, "model": model, "dim": dim, "base": None, "deltas": []}
    write_manifest(path, manifest)
    return path


def publish(version: Path) -> None:
    """Make ``version`` live and delete versions older than the previous one."""
    _write_atomic(index_dir() / "CURRENT", version.name + "\n")
    versions = sorted(p for p in index_dir().glob("v-*") if p.is_dir() and p != version)
    for old in versions[: max(0, len(versions) - KEEP_OLD_VERSIONS)]:
        shutil.rmtree(old, ignore_errors=True)


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_mtime_ns)


@dataclass
class Snapshot:
    """One consistent view of the indexes: use a snapshot for a whole query."""

    version: Path | None
    manifest: dict
    keyword_index: tantivy.Index | None
    vectors: VectorSet


class Reader:
    """A per-process cache of the open indexes that reopens them when writers publish."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._snapshot = Snapshot(None, {}, None, VectorSet(dim=1))

    def snapshot(self) -> Snapshot:
        root = index_dir()
        current_key = _stat_key(root / "CURRENT")
        # CURRENT is only read again when its stat changed (it is replaced, never edited):
        # per query that leaves two stat calls.
        if self._key is not None and self._key[:2] == (str(root), current_key):
            version = self._snapshot.version
        else:
            version = current_version()
        manifest_key = _stat_key(version / "manifest.json") if version else None
        key = (str(root), current_key, manifest_key)
        if key == self._key:
            return self._snapshot
        with self._lock:
            if key != self._key:
                self._snapshot = self._open(version, self._snapshot)
                self._key = key
        return self._snapshot

    def _open(self, version: Path | None, previous: Snapshot) -> Snapshot:
        if version is None:
            return Snapshot(None, {}, None, VectorSet(dim=1))
        manifest = read_manifest(version)
        same_version = previous.version == version
        if same_version and previous.keyword_index is not None:
            index = previous.keyword_index
            index.reload()
        else:
            index = _open_keyword_index(version)
        if same_version and _vector_fields(previous.manifest) == _vector_fields(manifest):
            # Most manifest writes (keyword updates, a quiet catch-up's synced_at) leave the
            # segments alone; reopening them would cost every worker a reload of the vectors.
            vectors = previous.vectors
        else:
            vectors = open_vector_set(version, manifest)
        return Snapshot(version, manifest, index, vectors)


def _vector_fields(manifest: dict) -> tuple:
    """What :func:`search.vectors.open_vector_set` reads from a manifest."""
    return tuple(manifest.get(key) for key in ("dim", "base", "deltas", "removed"))


def _open_keyword_index(version: Path) -> tantivy.Index | None:
    """The version's keyword index, or None (searching without it) when its format is old:
    serving degraded beats failing every search until an operator rebuilds."""
    try:
        return keyword.open_index(version / "keyword")
    except keyword.IncompatibleIndex as exc:
        log.error("keyword index unusable: %s", exc)
        return None


READER = Reader()
