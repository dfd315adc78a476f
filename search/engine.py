"""Ranking without the database: keyword, semantic and hybrid candidate lists from the
on-disk indexes (the service adds filters, sorting and paper objects)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import tantivy
from django.conf import settings

from search import fusion, keyword, spelling
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


@dataclass(frozen=True)
class Floors:
    """Absolute scores a candidate needs to count as a match (``bench/search_floors.py``
    calibrates them; figures in docs/benchmarks.md). ``cosine``: MiniLM cosine similarity of
    query and paper. ``keyword``: BM25 over :func:`search.keyword.reference_score`, about the
    share of the query's information (IDF) the paper contains."""

    cosine: float = 0.35
    keyword: float = 0.55


FLOORS = Floors()
NO_FLOORS = Floors(cosine=-1.0, keyword=0.0)


@dataclass
class Ranked:
    """A query's candidates split by the floors, both lists best first."""

    matches: fusion.Ranking = field(default_factory=list)
    loose: fusion.Ranking = field(default_factory=list)  # the best candidates under the floors
    capped: bool = False  # a side returned as many candidates as asked: more may exist


def match(
    query: ParsedQuery,
    mode: str,
    depth: int,
    params: fusion.FusionParams = fusion.DEFAULT,
    floors: Floors = FLOORS,
    snapshot: Snapshot | None = None,
) -> Ranked:
    """Candidates for ``query`` in ``mode``, split into matches (a keyword score or a cosine
    similarity above its floor) and the rest; ordered by the mode's ranking."""
    snapshot = snapshot or READER.snapshot()
    if mode == "semantic" and not query.text:
        mode = "keyword"  # only filters (author:, title:): nothing to embed
    # Fusion wants its own depth of both sides; a single side needs only ``depth``.
    wanted = depth if mode != "hybrid" else max(depth, params.depth)
    kw, sem = sides(snapshot, query, mode, wanted)
    passed = _passing(snapshot, query, kw, sem, floors)
    if mode == "keyword":
        ordered = kw
    elif mode == "semantic":
        ordered = sem
    else:
        ordered = fusion.fuse(kw, sem, params)
    ranked = Ranked(capped=len(kw) >= depth or len(sem) >= depth)
    for item in ordered:
        (ranked.matches if item[0] in passed else ranked.loose).append(item)
    ranked.matches = ranked.matches[:depth]
    return ranked


def sides(
    snapshot: Snapshot, query: ParsedQuery, mode: str, depth: int
) -> tuple[fusion.Ranking, fusion.Ranking]:
    if mode == "keyword":
        return keyword_ranking(snapshot, query, depth), []
    if mode == "semantic":
        return [], _constrained(snapshot, query, semantic_ranking(snapshot, query, depth))
    # BM25 (tantivy) and the query embedding + HNSW search both release the GIL: running the
    # keyword half on a helper thread overlaps them.
    pending = _pool().submit(keyword_ranking, snapshot, query, depth)
    sem = semantic_ranking(snapshot, query, depth)
    kw = pending.result()
    return kw, _constrained(snapshot, query, sem)


def _constrained(snapshot: Snapshot, query: ParsedQuery, sem: fusion.Ranking) -> fusion.Ranking:
    """The semantic candidates that meet the query's requirements (quoted phrases, authors,
    title words) and contain none of its excluded words."""
    if not query.constrained or snapshot.keyword_index is None:
        return sem
    allowed = keyword.satisfying(snapshot.keyword_index, query, [pid for pid, _ in sem])
    return [(pid, s) for pid, s in sem if pid in allowed]


def _passing(
    snapshot: Snapshot,
    query: ParsedQuery,
    kw: fusion.Ranking,
    sem: fusion.Ranking,
    floors: Floors,
) -> set[int]:
    passed = {pid for pid, s in sem if s >= floors.cosine}
    if kw and snapshot.keyword_index is not None:
        least = floors.keyword * keyword.reference_score(snapshot.keyword_index, query)
        passed.update(pid for pid, s in kw if s >= least)
    return passed


def author_papers(name: list[str], limit: int) -> list[int]:
    """Papers whose author list holds the words of ``name`` in a row."""
    index = READER.snapshot().keyword_index
    if index is None:
        return []
    built = keyword.constraints(index.schema, ParsedQuery(text="", authors=[name]))
    if not built:
        return []
    return [pid for pid, _ in keyword.run(index, tantivy.Query.boolean_query(built), limit)]


def spelling_suggestion(
    query: ParsedQuery, texts_of: Callable[[list[int]], Iterable[str]]
) -> str | None:
    """``query`` with its words no paper contains corrected (:mod:`search.spelling`)."""
    index = READER.snapshot().keyword_index
    return spelling.suggest(index, query, texts_of) if index is not None else None


def rank(
    query: ParsedQuery,
    mode: str,
    depth: int,
    params: fusion.FusionParams = fusion.DEFAULT,
    snapshot: Snapshot | None = None,
) -> fusion.Ranking:
    """Every candidate for ``query`` in ``mode``, best first, floors ignored (benchmarks)."""
    return match(query, mode, depth, params, NO_FLOORS, snapshot).matches


def match_subset(
    query: ParsedQuery,
    paper_ids: list[int],
    vectors: dict[int, np.ndarray],
    params: fusion.FusionParams = fusion.DEFAULT,
    floors: Floors = FLOORS,
) -> Ranked:
    """Hybrid ranking of a given candidate set, split by the same floors as :func:`match`:
    BM25 restricted to it, and cosine similarity of the given ``vectors`` (paper id -> stored
    vector; candidates without one rank by BM25 alone)."""
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
        sem = _constrained(snapshot, query, sem)
    passed = _passing(snapshot, query, kw, sem, floors)
    ranked = Ranked()
    for item in fusion.fuse(kw, sem, params):
        (ranked.matches if item[0] in passed else ranked.loose).append(item)
    return ranked
