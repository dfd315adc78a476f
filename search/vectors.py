"""The vector index: a base segment (ids + float16 vectors, plus an HNSW graph when large) and
small delta segments appended by incremental updates, merged into a new base now and then.

Files are written once and never modified; a manifest names the live ones (see
:mod:`search.store`), so a reader never sees a half-written segment. Papers deleted since
the last merge are listed in the manifest (``removed``) and skipped by searches; the next
merge leaves them out of the new base.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ANN_DTYPE = "f16"
ANN_CONNECTIVITY = 16
ANN_EXPANSION_ADD = 64
ANN_EXPANSION_SEARCH = 96


def usearch_index_class():
    """usearch's ``Index``, imported safely.

    onnxruntime must be loaded before usearch: the other order segfaults the process
    (usearch 2.26.6 with onnxruntime 1.32.0; tests/search/test_import_order.py).
    """
    import onnxruntime  # noqa: F401
    from usearch.index import Index

    return Index


def save_segment(directory: Path, name: str, ids: np.ndarray, vectors: np.ndarray) -> str:
    """Write ``name``.ids.npy and ``name``.vec.npy (float16); separate files so a reader can
    load the ids alone and memory-map the vectors."""
    for suffix, array in (("vec", vectors.astype(np.float16)), ("ids", ids.astype(np.int64))):
        tmp = directory / f".{name}.{suffix}.tmp.npy"
        np.save(tmp, array)
        tmp.replace(directory / f"{name}.{suffix}.npy")
    return name


def load_segment(directory: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(ids, float16 vectors memory-mapped read-only)."""
    ids = np.load(directory / f"{name}.ids.npy")
    vectors = np.load(directory / f"{name}.vec.npy", mmap_mode="r")
    return ids, vectors


def build_ann(
    directory: Path, name: str, ids: np.ndarray, vectors: np.ndarray, min_vectors: int
) -> str | None:
    """Build and save an HNSW graph over these vectors, or None when exact search will do."""
    if len(ids) < min_vectors:
        return None
    index = usearch_index_class()(
        ndim=vectors.shape[1],
        metric="ip",
        dtype=ANN_DTYPE,
        connectivity=ANN_CONNECTIVITY,
        expansion_add=ANN_EXPANSION_ADD,
        multi=False,
    )
    index.add(ids.astype(np.uint64), vectors.astype(np.float32), threads=0)
    tmp = directory / f".{name}.tmp"
    index.save(str(tmp))
    tmp.replace(directory / name)
    return name


@dataclass
class VectorSet:
    """Every live vector of one manifest generation, ready to search."""

    dim: int
    base_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    base_vectors: np.ndarray | None = None  # float32, only when searched exactly
    ann: object | None = None
    delta_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    delta_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    superseded: set[int] = field(default_factory=set)  # base ids re-embedded in a delta
    removed: set[int] = field(default_factory=set)  # deleted papers, in no segment's results
    live: int = 0  # distinct ids not removed (set by open_vector_set)

    @property
    def count(self) -> int:
        return self.live

    def search(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """(paper id, cosine similarity), best first."""
        if limit <= 0:
            return []
        hits = self._search_base_skipping(query, limit, self.superseded | self.removed)
        if len(self.delta_ids):
            scores = self.delta_vectors @ query
            hits += [
                (int(i), float(s))
                for i, s in zip(self.delta_ids, scores, strict=True)
                if int(i) not in self.removed
            ]
        best: dict[int, float] = {}
        for paper_id, score in hits:
            best[paper_id] = max(score, best.get(paper_id, -2.0))
        return sorted(best.items(), key=lambda item: -item[1])[:limit]

    def _search_base_skipping(
        self, query: np.ndarray, limit: int, skip: set[int]
    ) -> list[tuple[int, float]]:
        """The best ``limit`` base hits not in ``skip``. Asking for ``len(skip)`` extra hits
        at once would make an HNSW search after many deletions or re-embeddings look at
        thousands of candidates, so the depth grows only while skipped ids fill it."""
        depth = limit + min(len(skip), limit)
        while True:
            found = self._search_base(query, depth)
            kept = [(i, s) for i, s in found if i not in skip]
            if len(kept) >= limit or len(found) < depth or depth >= limit + len(skip):
                return kept[:limit]
            depth = min(depth * 4, limit + len(skip))

    def _search_base(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        if self.ann is not None:
            matches = self.ann.search(query, limit, threads=1)
            return [
                (int(k), 1.0 - float(d))
                for k, d in zip(matches.keys, matches.distances, strict=True)
            ]
        if self.base_vectors is None or not len(self.base_ids):
            return []
        scores = self.base_vectors @ query
        top = min(limit, len(scores))
        best = np.argpartition(-scores, top - 1)[:top]
        best = best[np.argsort(-scores[best])]
        return [(int(self.base_ids[i]), float(scores[i])) for i in best]


def open_vector_set(directory: Path, manifest: dict) -> VectorSet:
    """Load the segments a manifest names; the HNSW graph is memory-mapped, not read."""
    dim = int(manifest.get("dim") or 1)
    result = VectorSet(dim=dim)
    base = manifest.get("base")
    if base:
        ids, vectors = load_segment(directory, base["segment"])
        result.base_ids = ids
        if base.get("ann"):
            result.ann = usearch_index_class().restore(str(directory / base["ann"]), view=True)
            result.ann.expansion_search = ANN_EXPANSION_SEARCH
        else:
            result.base_vectors = vectors.astype(np.float32)
    deltas = [load_segment(directory, name) for name in manifest.get("deltas", [])]
    if deltas:
        result.delta_ids = np.concatenate([d[0] for d in deltas])
        result.delta_vectors = np.concatenate([d[1] for d in deltas]).astype(np.float32)
    # np.isin, not np.setdiff1d: isin uses a lookup table for integer ids (4 ms against a
    # million base ids), setdiff1d sorts them (700 ms on every reopen).
    in_base = np.isin(result.delta_ids, result.base_ids)
    result.superseded = set(result.delta_ids[in_base].tolist())
    only_in_deltas = np.unique(result.delta_ids[~in_base])
    result.removed = {int(i) for i in manifest.get("removed", [])}
    result.live = len(result.base_ids) + len(only_in_deltas)
    if result.removed:
        removed = np.fromiter(result.removed, dtype=np.int64, count=len(result.removed))
        held = np.isin(removed, result.base_ids) | np.isin(removed, only_in_deltas)
        result.live -= int(held.sum())
    return result
