"""Indexing throughput: keyword (tantivy) and vectors (embedding model, HNSW graph), plus the
time for a fresh demo (load_demo) to become fully searchable.

    flock /tmp/dailypapers-bench.lock .venv/bin/python -u bench/index_speed.py [--embed 300]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _search_common import SHARED, require, setup_django
from search_latency import load_arxiv, mixed_vectors


def keyword_rate(papers: list[dict]) -> None:
    from search import keyword

    docs = [
        keyword.KeywordDoc(i, p["title"], p["abstract"], ", ".join(p.get("authors") or []))
        for i, p in enumerate(papers, start=1)
    ]
    ways = {
        "rebuild: 1 thread, one segment": lambda index: keyword.build(index, docs),
        "2 threads (a segment per thread)": lambda index: keyword.write(
            index, docs, threads=2, replace=False
        ),
    }
    for label, fill in ways.items():
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            fill(keyword.open_index(Path(tmp)))
            rate = len(docs) / (time.perf_counter() - started)
            print(f"keyword (tantivy, {label}): {rate:,.0f} abstracts/s")
    with tempfile.TemporaryDirectory() as tmp:
        index = keyword.open_index(Path(tmp))
        keyword.build(index, docs[:-1000])
        started = time.perf_counter()
        keyword.write(index, docs[-1000:])
        print(f"keyword incremental (1,000 papers into 57k): {time.perf_counter() - started:.2f} s")


def vector_rate(papers: list[dict], count: int) -> np.ndarray:
    from search.embedding import get_embedder, paper_text

    texts = [paper_text(p["title"], p["abstract"]) for p in papers[:count]]
    vectors = None
    for name in ("minilm-dq8-128", "minilm-int8-128", "minilm-int8"):
        model = get_embedder(name)
        model.embed(texts[:8])
        started = time.perf_counter()
        out = model.embed(texts)
        print(f"vectors ({name}): {count / (time.perf_counter() - started):.1f} abstracts/s")
        vectors = out if vectors is None else vectors
    return vectors


def ann_rate(real: np.ndarray, total: int) -> None:
    from search.vectors import build_ann

    vectors = mixed_vectors(real, total, np.random.default_rng(0))
    ids = np.arange(1, total + 1, dtype=np.int64)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        build_ann(Path(tmp), "a.usearch", ids, vectors, min_vectors=1)
        rate = total / (time.perf_counter() - started)
        print(f"HNSW graph (usearch, {total:,} vectors): {rate:,.0f} vectors/s")


def demo_time() -> None:
    from django.core.management import call_command

    from papers.models import Paper
    from search.service import SearchQuery, search

    started = time.perf_counter()
    call_command("load_demo", "--no-progress", verbosity=0)  # papers_changed indexes them
    elapsed = time.perf_counter() - started
    hits = search(SearchQuery(q="diffusion", mode="semantic")).hits
    print(
        f"load_demo + indexing {Paper.objects.count()} papers: {elapsed:.1f} s "
        f"(semantic search returns {len(hits)} hits right after)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embed", type=int, default=300)
    args = parser.parse_args()
    setup_django(tasks_backend="immediate")
    papers = load_arxiv(require(SHARED / "arxiv" / "arxiv_cs_2025-03_2026-08.jsonl.gz"))
    keyword_rate(papers)
    real = vector_rate(papers, args.embed)
    ann_rate(real, 58_000)
    demo_time()


if __name__ == "__main__":
    main()
