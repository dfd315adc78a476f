"""Where a 1M-paper keyword query spends its time, and what the ways to cut it would cost.

    flock /tmp/dailypapers-bench.lock .venv/bin/python -u bench/keyword_strategies.py \
        --reuse DATA_DIR [--queries 600]

DATA_DIR is a data dir written by ``bench/search_latency.py --scale 1m`` (its keyword index
is read in-process, nothing is written). Queries are made like that script's: unique 2-4 word
runs cut from real arXiv titles. Every strategy runs the same queries, after a warm-up, in
alternating blocks (the VM's speed drifts by ±30 % over minutes; blocks keep the comparison
fair). For each strategy it prints p50/p90/p99 ms and, against exact any-word BM25 (OR,
top-200; ``SEARCH_KEYWORD_MATCH=any``), how many of the top-20 and top-200 it keeps and how
often the top-10 is identical, so a speed-up that changes what users see is visible as such.

Strategies (candidates for the 10 ms hybrid goal, see search/README.md):
- any: title + text + authors clauses per word, OR, top-200. Every posting is scored:
  tantivy-py never runs tantivy's block-max WAND (bench/keyword_pruning.py).
- counted: the same query also counting all matches (what the Count collector adds).
- text only: one clause per word (no title boost clause).
- top-50: a shallower keyword list for fusion.
- drop common: words in more than half of the papers are left out when rarer words remain.
- all-first: papers containing every word (then OR if fewer than 200 do); the default
  ``SEARCH_KEYWORD_MATCH``.
- also printed: the median over queries of the sum of each word's own top-200 time, the
  cost of reading each word's postings once.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _search_common import SHARED, require, reuse_1m_data_dir

DEPTH = 200
BLOCK = 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", required=True, help="data dir of a search_latency.py 1m run")
    parser.add_argument("--queries", type=int, default=600)
    args = parser.parse_args()
    reuse_1m_data_dir(args.reuse)
    import search_latency

    papers = search_latency.load_arxiv(
        require(SHARED / "arxiv" / "arxiv_cs_2025-03_2026-08.jsonl.gz")
    )
    queries = search_latency.make_queries(papers, args.queries + 200)
    random.Random(4).shuffle(queries)
    run(queries[:200], queries[200:])


def run(warmup: list[str], queries: list[str]) -> None:
    from search.store import READER
    from search.text import parse_query

    index = READER.snapshot().keyword_index
    if index is None:
        sys.exit("the data dir's keyword index could not be opened")
    searcher = index.searcher()
    print(f"{searcher.num_docs} papers in {searcher.num_segments} segments, {len(queries)} queries")
    strategies = make_strategies(index, searcher)
    parsed = [parse_query(q) for q in queries]
    for query in [parse_query(q) for q in warmup]:
        for strategy in strategies.values():
            strategy(query)
    timings = time_in_blocks(strategies, parsed)
    reference = {i: _keys(strategies["any"](q)) for i, q in enumerate(parsed)}
    print("| strategy | p50 ms | p90 ms | p99 ms | top-20 kept | top-200 kept | top-10 same |")
    print("|---|---|---|---|---|---|---|")
    for name, strategy in strategies.items():
        kept = agreement(reference, [_keys(strategy(q)) for q in parsed])
        t = sorted(timings[name])
        row = f"| {name} | {_pct(t, 50):.2f} | {_pct(t, 90):.2f} | {_pct(t, 99):.2f} |"
        print(f"{row} {kept[0]:.3f} | {kept[1]:.3f} | {kept[2]:.3f} |", flush=True)
    per_word = [postings_cost(index, searcher, q) for q in parsed[:150]]
    print(f"sum of each word's own top-200 time (median): {statistics.median(per_word):.2f} ms")


def make_strategies(index, searcher) -> dict[str, Callable]:
    import tantivy

    from search import keyword
    from search.text import name_analyzer, stem_analyzer

    schema = index.schema
    total = searcher.num_docs

    def clauses(terms: list[str], field: str, boost: float) -> list:
        return [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(
                    tantivy.Query.term_query(schema, field, t, index_option="freq"), boost
                ),
            )
            for t in terms
        ]

    def words(query) -> tuple[list[str], list[str]]:
        return (
            keyword._field_terms(query, stem_analyzer()),
            keyword._field_terms(query, name_analyzer()),
        )

    def top(built, depth: int = DEPTH, count: bool = False) -> list:
        if built is None:
            return []
        return searcher.search(built, depth, count=count).hits

    def any_word(query) -> list:
        return top(keyword.build_query(index, query))

    def counted(query) -> list:
        return top(keyword.build_query(index, query), count=True)

    def text_only(query) -> list:
        stems, names = words(query)
        authors = clauses(names, "authors", keyword.AUTHORS_BOOST)
        return top(tantivy.Query.boolean_query(clauses(stems, "text", 1.0) + authors))

    def top_50(query) -> list:
        return top(keyword.build_query(index, query), 50)

    def with_stems(stems: list[str], names: list[str]):
        should = clauses(stems, "title", keyword.TITLE_BOOST) + clauses(stems, "text", 1.0)
        return tantivy.Query.boolean_query(
            should + clauses(names, "authors", keyword.AUTHORS_BOOST)
        )

    def drop_common(query) -> list:
        stems, names = words(query)
        rare = [t for t in stems if searcher.doc_freq("text", t) <= total / 2]
        return top(with_stems(rare or stems, names))

    def and_first(query) -> list:
        # The SEARCH_KEYWORD_MATCH=all-first query (the default), on this searcher.
        if len(words(query)[0]) > 1:
            hits = top(keyword.build_query(index, query, require_all=True))
            if len(hits) >= DEPTH:
                return hits
        return any_word(query)

    return {
        "any": any_word,
        "counted": counted,
        "text only": text_only,
        "top-50": top_50,
        "drop common": drop_common,
        "all-first": and_first,
    }


def time_in_blocks(strategies: dict[str, Callable], parsed: list) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in strategies}
    names = list(strategies)
    for block, start in enumerate(range(0, len(parsed), BLOCK)):
        order = names if block % 2 == 0 else names[::-1]
        for name in order:
            for query in parsed[start : start + BLOCK]:
                began = time.perf_counter()
                strategies[name](query)
                timings[name].append((time.perf_counter() - began) * 1000)
    return timings


def agreement(reference: dict[int, list], results: list[list]) -> tuple[float, float, float]:
    top20, top200, same10 = [], [], []
    for i, keys in enumerate(results):
        ref = reference[i]
        if not ref:
            continue
        top20.append(len(set(ref[:20]) & set(keys[:20])) / len(ref[:20]))
        top200.append(len(set(ref) & set(keys)) / len(ref))
        same10.append(ref[:10] == keys[:10])
    return statistics.mean(top20), statistics.mean(top200), statistics.mean(same10)


def postings_cost(index, searcher, query) -> float:
    import tantivy

    from search import keyword
    from search.text import stem_analyzer

    total = 0.0
    for term in keyword._field_terms(query, stem_analyzer()):
        built = tantivy.Query.term_query(index.schema, "text", term, index_option="freq")
        began = time.perf_counter()
        searcher.search(built, DEPTH, count=False)
        total += (time.perf_counter() - began) * 1000
    return total


def _keys(hits: list) -> list[tuple[int, int]]:
    return [(address.segment_ord, address.doc) for _, address in hits]


def _pct(sorted_values: list[float], q: int) -> float:
    return sorted_values[min(len(sorted_values) - 1, len(sorted_values) * q // 100)]


if __name__ == "__main__":
    main()
