"""Ranking without the database: keyword, semantic and hybrid candidate lists from the
on-disk indexes (the service adds filters, sorting and paper objects)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
import tantivy
from django.conf import settings

from search import fusion, keyword
from search.embedding import get_embedder
from search.store import READER, Snapshot
from search.text import ParsedQuery

_POOL: tuple[int, ThreadPoolExecutor] | None = None


def _pool() -> ThreadPoolExecutor:
    """Helper threads for hybrid queries, shared by a process's request threads; made per
    process id, as threads do not survive a fork (gunicorn's workers)."""
    global _POOL
    if _POOL is None or _POOL[0] != os.getpid():
        _POOL = (os.getpid(), ThreadPoolExecutor(max_workers=4, thread_name_prefix="search-kw"))
    return _POOL[1]


@lru_cache(maxsize=512)
def embed_query(text: str, model: str) -> np.ndarray:
    """Query vectors are cached: live search re-sends the same prefix as the user types."""
    vector = get_embedder(model).embed([text])[0]
    vector.setflags(write=False)
    return vector


def keyword_ranking(snapshot: Snapshot, query: ParsedQuery, depth: int) -> fusion.Ranking:
    if snapshot.keyword_index is None:
        return []
    return keyword.search(snapshot.keyword_index, query, depth, settings.SEARCH_KEYWORD_MATCH)


def semantic_ranking(snapshot: Snapshot, query: ParsedQuery, depth: int) -> fusion.Ranking:
    if snapshot.vectors.count == 0 or not query.text:
        return []
    model = snapshot.manifest.get("model") or settings.SEARCH_EMBEDDING_MODEL
    return snapshot.vectors.search(embed_query(query.text, model), depth)


def rank(
    query: ParsedQuery,
    mode: str,
    depth: int,
    params: fusion.FusionParams = fusion.DEFAULT,
    snapshot: Snapshot | None = None,
) -> fusion.Ranking:
    """Candidates for ``query`` in ``mode`` (hybrid, keyword or semantic), best first."""
    snapshot = snapshot or READER.snapshot()
    if mode == "keyword":
        return keyword_ranking(snapshot, query, depth)
    if mode == "semantic":
        return semantic_ranking(snapshot, query, depth)
    # BM25 (tantivy) and the query embedding + HNSW search both release the GIL: running the
    # keyword half on a helper thread overlaps them.
    pending = _pool().submit(keyword_ranking, snapshot, query, max(depth, params.depth))
    sem = semantic_ranking(snapshot, query, max(depth, params.depth))
    kw = pending.result()
    if query.phrases:
        # A quoted phrase is a requirement: only papers that contain it may be returned.
        allowed = {pid for pid, _ in kw}
        sem = [(pid, s) for pid, s in sem if pid in allowed]
    return fusion.fuse(kw, sem, params)[:depth]


def rank_subset(
    query: ParsedQuery,
    paper_ids: list[int],
    vectors: dict[int, np.ndarray],
    params: fusion.FusionParams = fusion.DEFAULT,
) -> fusion.Ranking:
    """Hybrid ranking of a given candidate set: BM25 restricted to it, and cosine similarity
    of the given ``vectors`` (paper id -> stored vector; candidates without one rank by BM25
    alone)."""
    snapshot = READER.snapshot()
    kw: fusion.Ranking = []
    built = keyword.build_query(snapshot.keyword_index, query) if snapshot.keyword_index else None
    if built is not None:
        subset = tantivy.Query.term_set_query(snapshot.keyword_index.schema, "id", paper_ids)
        both = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, built), (tantivy.Occur.Must, subset)]
        )
        kw = keyword.run(snapshot.keyword_index, both, len(paper_ids))
    sem: fusion.Ranking = []
    if vectors and query.text:
        ids = list(vectors)
        asked = embed_query(query.text, settings.SEARCH_EMBEDDING_MODEL)
        scores = np.stack([vectors[pid] for pid in ids]) @ asked
        sem = sorted(
            ((pid, float(s)) for pid, s in zip(ids, scores, strict=True)),
            key=lambda item: -item[1],
        )
    return fusion.fuse(kw, sem, params)
