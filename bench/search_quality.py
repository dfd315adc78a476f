"""Search quality on a BEIR dataset: nDCG@10 and Recall@100 per mode, through the project's
own importer (import_jsonl) and search service, in a throw-away database.

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/search_quality.py \
        ../shared/data/scifact/corpus.jsonl.gz ../shared/data/scifact/queries_train.jsonl \
        ../shared/data/scifact/qrels_train.tsv [--tune]

Document vectors are cached in /tmp/dailypapers-bench-cache/<dataset>/<model>.npz (keyed by
id and text hash, so a changed model or text is re-embedded); --tune grid-searches the fusion
parameters and the title boost on this split and prints the best settings.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _search_common import (
    CACHE,
    add_vector_dir,
    import_beir_corpus,
    ndcg_at,
    read_jsonl,
    read_qrels,
    recall_at,
    require,
    setup_django,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("queries", type=Path)
    parser.add_argument("qrels", type=Path)
    parser.add_argument("--tune", action="store_true", help="grid-search fusion parameters")
    parser.add_argument("--max-queries", type=int, default=0)
    args = parser.parse_args()
    for path in (args.corpus, args.queries, args.qrels):
        require(path)
    setup_django()
    from django.conf import settings

    from search import demo_vectors, indexer

    cache_dir = CACHE / args.corpus.parent.name
    add_vector_dir(cache_dir)
    started = time.perf_counter()
    mapping = import_beir_corpus(args.corpus)
    print(f"imported {len(mapping)} documents in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    indexer.rebuild(progress=_progress())
    print(f"indexed (keyword + vectors) in {time.perf_counter() - started:.1f} s")
    demo_vectors.export_demo_vectors(cache_dir / f"{settings.SEARCH_EMBEDDING_MODEL}.npz")
    qrels = read_qrels(args.qrels)
    queries = [q for q in read_jsonl(args.queries) if q["_id"] in qrels]
    if args.max_queries:
        queries = queries[: args.max_queries]
    print(f"model {settings.SEARCH_EMBEDDING_MODEL}, {len(queries)} queries")
    if args.tune:
        tune(queries, qrels, mapping)
    evaluate(queries, qrels, mapping)


def _progress():
    done = [0]

    def report(n: int) -> None:
        done[0] += n
        if done[0] % 640 < n:
            print(f"  embedded {done[0]}", flush=True)

    return report


def evaluate(queries: list[dict], qrels: dict, mapping: dict[str, str]) -> None:
    """Through search.service.search, as the page and API call it."""
    from search.service import SearchQuery, search

    print(f"{'mode':10} {'nDCG@10':>8} {'R@100':>7} {'ms/query':>9}")
    for mode in ("keyword", "semantic", "hybrid"):
        ndcg = recall = 0.0
        started = time.perf_counter()
        for q in queries:
            hits = search(SearchQuery(q=q["text"], mode=mode, limit=100)).hits
            ranked = [mapping[h.paper.arxiv_id] for h in hits]
            ndcg += ndcg_at(ranked, qrels[q["_id"]])
            recall += recall_at(ranked, qrels[q["_id"]])
        ms = (time.perf_counter() - started) * 1000 / len(queries)
        n = len(queries)
        print(f"{mode:10} {ndcg / n:8.4f} {recall / n:7.4f} {ms:9.1f}")


def tune(queries: list[dict], qrels: dict, mapping: dict[str, str]) -> None:
    """Grid over title boost, fusion method, weight and depth on raw rankings."""
    from papers.models import Paper
    from search import engine, fusion, keyword
    from search.text import parse_query

    doc_of = dict(Paper.objects.values_list("pk", "arxiv_id"))
    parsed = [parse_query(q["text"]) for q in queries]
    sem = [engine.rank(p, "semantic", 1000) for p in parsed]

    def score(rankings) -> float:
        total = 0.0
        for q, ranking in zip(queries, rankings, strict=True):
            ranked = [mapping[doc_of[pid]] for pid, _ in ranking[:10]]
            total += ndcg_at(ranked, qrels[q["_id"]])
        return total / len(queries)

    print(f"semantic nDCG@10 {score(sem):.4f}")
    best = (0.0, None)
    default_boost = keyword.TITLE_BOOST
    for title_boost in (0.0, 0.25, 0.5, 1.0):
        keyword.TITLE_BOOST = title_boost
        kw = [engine.rank(p, "keyword", 1000) for p in parsed]
        print(f"title boost {title_boost}: keyword nDCG@10 {score(kw):.4f}")
        grid = itertools.product(("blend", "rrf"), (0.5, 0.6, 0.65, 0.7, 0.75, 0.8), (100, 200))
        for method, weight, depth in grid:
            params = fusion.FusionParams(method=method, keyword_weight=weight, depth=depth)
            fused = [
                fusion.fuse(k[:depth], s[:depth], params) for k, s in zip(kw, sem, strict=True)
            ]
            value = score(fused)
            if value > best[0]:
                best = (value, (title_boost, params))
            if (method, depth) == ("blend", 200) or (method, weight, depth) == ("rrf", 0.6, 100):
                print(f"  {method} w={weight} depth={depth}: hybrid nDCG@10 {value:.4f}")
    keyword.TITLE_BOOST = default_boost  # evaluate() below measures the shipped defaults
    print(f"best hybrid nDCG@10 {best[0]:.4f} with title boost, params = {best[1]}")


if __name__ == "__main__":
    main()
