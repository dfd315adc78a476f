"""``search.fusion``: the blend and reciprocal rank fusion of a keyword and a semantic list."""

from __future__ import annotations

import random

import pytest

from search.fusion import FusionParams, blend, fuse, rrf


def _reference_blend(keyword, semantic, weight):
    """The definition, written plainly: min-max scale each list, weighted sum, best first."""

    def scaled(ranking):
        if not ranking:
            return {}
        scores = [s for _, s in ranking]
        low, span = min(scores), max(scores) - min(scores)
        return {pid: (s - low) / span if span > 1e-12 else 1.0 for pid, s in ranking}

    kw, sem = scaled(keyword), scaled(semantic)
    fused = {
        pid: weight * kw.get(pid, 0.0) + (1 - weight) * sem.get(pid, 0.0) for pid in {*kw, *sem}
    }
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def test_blend_matches_its_definition_exactly():
    rng = random.Random(7)
    for _ in range(200):
        ids = rng.sample(range(10_000), 60)
        keyword = sorted(((i, rng.random() * 30) for i in ids[:40]), key=lambda x: -x[1])
        semantic = sorted(((i, rng.random()) for i in ids[25:]), key=lambda x: -x[1])
        for kw, sem in ((keyword, semantic), (keyword, []), ([], semantic), (keyword[:1], [])):
            assert blend(kw, sem, 0.65) == _reference_blend(kw, sem, 0.65)


def test_blend_scales_each_list_and_gives_absent_papers_zero():
    keyword = [(1, 10.0), (2, 5.0), (3, 0.0)]
    semantic = [(3, 0.9), (4, 0.5)]
    fused = dict(blend(keyword, semantic, 0.5))
    assert fused == pytest.approx({1: 0.5, 2: 0.25, 3: 0.5, 4: 0.0})


def test_equal_scores_count_as_best_and_ties_go_to_the_lower_id():
    assert blend([(9, 2.0), (5, 2.0)], [], 0.65) == [(5, 0.65), (9, 0.65)]
    assert [pid for pid, _ in blend([(8, 1.0)], [(3, 0.7)], 0.5)] == [3, 8]


def test_rrf_sums_weighted_reciprocal_ranks():
    fused = dict(rrf([(1, 9.0), (2, 8.0)], [(2, 0.9), (3, 0.8)], 0.5, 60))
    assert fused[2] == pytest.approx(0.5 / 62 + 0.5 / 61)
    assert fused[1] == pytest.approx(0.5 / 61)
    assert [pid for pid, _ in rrf([(1, 1.0)], [(0, 1.0)], 0.5, 60)] == [0, 1]


def test_fuse_picks_the_method():
    keyword, semantic = [(1, 3.0), (2, 1.0)], [(2, 0.9), (1, 0.1)]
    assert fuse(keyword, semantic) == blend(keyword, semantic, 0.65)
    params = FusionParams(method="rrf", keyword_weight=0.3)
    assert fuse(keyword, semantic, params) == rrf(keyword, semantic, 0.3, 60)
