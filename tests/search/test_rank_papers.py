"""rank_papers re-ranks a given candidate set (topic digests use it)."""

from __future__ import annotations

from search.service import rank_papers


def test_ranks_only_the_candidates_best_first(corpus):
    ids = [corpus[a].pk for a in ("2501.12948", "2501.19324", "2503.09573", "2412.19638")]
    ranked = rank_papers("speculative decoding for faster reasoning", ids)
    assert ranked[0][0] == corpus["2501.19324"].pk
    assert sorted(pid for pid, _ in ranked) == sorted(ids)
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)


def test_empty_query_keeps_the_order(corpus):
    ids = [corpus["2501.12948"].pk, corpus["2501.19324"].pk]
    assert rank_papers("  ", ids) == [(ids[0], 0.0), (ids[1], 0.0)]
