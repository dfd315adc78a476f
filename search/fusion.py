"""Combining keyword and semantic rankings into one.

Two methods, both tuned on the SciFact train split by bench/search_quality.py (figures in
search/README.md): a convex blend of per-query min-max normalised scores (the default: it
keeps how far ahead the best BM25 match is, which rank fusion throws away) and weighted
reciprocal rank fusion.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter

Ranking = list[tuple[int, float]]  # (paper id, score), best first


@dataclass(frozen=True)
class FusionParams:
    method: str = "blend"  # "blend" or "rrf"
    keyword_weight: float = 0.65  # blend: weight of BM25; rrf: weight of the keyword list
    rrf_k: int = 60
    depth: int = 200  # candidates taken from each list


DEFAULT = FusionParams()


def _bounds(ranking: Ranking) -> tuple[float, float]:
    """(lowest score, max - min or 0.0 when every score is equal) of a non-empty list."""
    scores = [s for _, s in ranking]
    low = min(scores)
    span = max(scores) - low
    return low, (span if span > 1e-12 else 0.0)


def blend(keyword: Ranking, semantic: Ranking, weight: float) -> Ranking:
    """``weight * bm25' + (1 - weight) * cosine'`` with each list min-max scaled to [0, 1]
    (all 1.0 when its scores are equal); a paper absent from a list gets 0 from it."""
    # One dict filled in place, instead of two scaled dicts and their union: the same floats
    # added in the same order, ~25 % less time at 200 + 200 candidates.
    fused: dict[int, float] = {}
    if keyword:
        low, span = _bounds(keyword)
        for pid, s in keyword:
            fused[pid] = weight * ((s - low) / span if span else 1.0)
    if semantic:
        low, span = _bounds(semantic)
        rest = 1 - weight
        get = fused.get
        for pid, s in semantic:
            fused[pid] = get(pid, 0.0) + rest * ((s - low) / span if span else 1.0)
    return _best_first(fused)


def _best_first(fused: dict[int, float]) -> Ranking:
    """Highest score first, ties by paper id (two stable sorts, no key tuples)."""
    items = sorted(fused.items())
    items.sort(key=itemgetter(1), reverse=True)
    return items


def rrf(keyword: Ranking, semantic: Ranking, weight: float, k: int) -> Ranking:
    """Weighted reciprocal rank fusion: ``sum w / (k + rank)``."""
    fused: dict[int, float] = {}
    for ranking, w in ((keyword, weight), (semantic, 1 - weight)):
        for rank, (pid, _) in enumerate(ranking, start=1):
            fused[pid] = fused.get(pid, 0.0) + w / (k + rank)
    return _best_first(fused)


def fuse(keyword: Ranking, semantic: Ranking, params: FusionParams = DEFAULT) -> Ranking:
    if params.method == "rrf":
        return rrf(keyword, semantic, params.keyword_weight, params.rrf_k)
    return blend(keyword, semantic, params.keyword_weight)
