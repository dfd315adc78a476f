"""Combining keyword and semantic rankings into one.

Two methods, both tuned on the SciFact train split by bench/search_quality.py (figures in
search/README.md): a convex blend of per-query min-max normalised scores (the default: it
keeps how far ahead the best BM25 match is, which rank fusion throws away) and weighted
reciprocal rank fusion.
"""

from __future__ import annotations

from dataclasses import dataclass

Ranking = list[tuple[int, float]]  # (paper id, score), best first


@dataclass(frozen=True)
class FusionParams:
    method: str = "blend"  # "blend" or "rrf"
    keyword_weight: float = 0.65  # blend: weight of BM25; rrf: weight of the keyword list
    rrf_k: int = 60
    depth: int = 200  # candidates taken from each list


DEFAULT = FusionParams()


def _normalise(ranking: Ranking) -> dict[int, float]:
    if not ranking:
        return {}
    scores = [s for _, s in ranking]
    low, high = min(scores), max(scores)
    span = high - low
    if span <= 1e-12:
        return {pid: 1.0 for pid, _ in ranking}
    return {pid: (s - low) / span for pid, s in ranking}


def blend(keyword: Ranking, semantic: Ranking, weight: float) -> Ranking:
    """``weight * bm25' + (1 - weight) * cosine'`` with each list min-max scaled to [0, 1];
    a paper absent from a list gets 0 from it."""
    kw, sem = _normalise(keyword), _normalise(semantic)
    ids = set(kw) | set(sem)
    fused = {pid: weight * kw.get(pid, 0.0) + (1 - weight) * sem.get(pid, 0.0) for pid in ids}
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def rrf(keyword: Ranking, semantic: Ranking, weight: float, k: int) -> Ranking:
    """Weighted reciprocal rank fusion: ``sum w / (k + rank)``."""
    fused: dict[int, float] = {}
    for ranking, w in ((keyword, weight), (semantic, 1 - weight)):
        for rank, (pid, _) in enumerate(ranking, start=1):
            fused[pid] = fused.get(pid, 0.0) + w / (k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def fuse(keyword: Ranking, semantic: Ranking, params: FusionParams = DEFAULT) -> Ranking:
    if params.method == "rrf":
        return rrf(keyword, semantic, params.keyword_weight, params.rrf_k)
    return blend(keyword, semantic, params.keyword_weight)
