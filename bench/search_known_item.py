"""Known-item search: a paper's one-sentence ``ai_summary`` (a paraphrase, as someone
remembering a paper would type it) as the query over all ~10k shared HF papers; MRR@10 and
Recall@10 per mode, then the same with two typos injected into every query.

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/search_known_item.py \
        [--queries 1000]

Documents are imported through the project's importer (as BEIR records) and indexed with
their vectors (cached in /tmp/dailypapers-bench-cache/hf_daily_papers/).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _search_common import SHARED, import_and_index, require, setup_django


def hf_papers() -> list[dict]:
    papers: dict[str, dict] = {}
    for day in sorted(require(SHARED / "hf_daily_papers" / "days").glob("*.json")):
        for item in json.loads(day.read_text()):
            paper = item.get("paper") or {}
            if paper.get("id") and paper.get("title") and paper.get("summary"):
                papers.setdefault(paper["id"], paper)
    return list(papers.values())


def with_typos(text: str, rng: random.Random, count: int = 2) -> str:
    """``count`` typos: adjacent letters swapped or one dropped, in different long words."""
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    for i in rng.sample(long, min(count, len(long))):
        w = words[i]
        j = rng.randrange(1, len(w) - 2)
        swap = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        words[i] = swap if swap != w and rng.random() < 0.5 else w[:j] + w[j + 1 :]
    return " ".join(words)


def build(papers: list[dict]) -> dict[str, int]:
    """Import and index; returns arXiv id -> paper pk."""
    from papers.models import Paper

    corpus = Path(tempfile.mkdtemp()) / "hf_daily_papers" / "corpus.jsonl.gz"
    corpus.parent.mkdir()
    with gzip.open(corpus, "wt") as out:
        for p in papers:
            out.write(json.dumps({"_id": p["id"], "title": p["title"], "text": p["summary"]}))
            out.write("\n")
    mapping = import_and_index(corpus)
    return {mapping[a]: pk for pk, a in Paper.objects.values_list("pk", "arxiv_id")}


def evaluate(label: str, queries: list[tuple[str, int]]) -> None:
    from search.service import SearchQuery, search

    for mode in ("keyword", "semantic", "hybrid"):
        mrr = recall = 0.0
        started = time.perf_counter()
        for text, pk in queries:
            ranked = [pid for pid, _ in search(SearchQuery(q=text, mode=mode, limit=10)).page]
            if pk in ranked:
                mrr += 1 / (ranked.index(pk) + 1)
                recall += 1
        n = len(queries)
        ms = (time.perf_counter() - started) * 1000 / n
        print(f"| {label} | {mode} | {mrr / n:.3f} | {recall / n:.3f} | {ms:.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    setup_django()
    papers = hf_papers()
    pk_of = build(papers)
    rng = random.Random(5)
    chosen = rng.sample([p for p in papers if p.get("ai_summary")], args.queries)
    queries = [(p["ai_summary"], pk_of[p["id"]]) for p in chosen]
    print("| queries | mode | MRR@10 | Recall@10 | ms/query |")
    print("|---|---|---|---|---|")
    evaluate("ai_summary", queries)
    evaluate("ai_summary + 2 typos", [(with_typos(q, rng), pk) for q, pk in queries])


if __name__ == "__main__":
    main()
