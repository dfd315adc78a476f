"""Does a keyword query get cheaper when fewer results are asked for? (It does not.)

    flock /tmp/dailypapers-bench.lock .venv/bin/python -u bench/keyword_pruning.py --reuse DATA_DIR

DATA_DIR is a data dir written by ``bench/search_latency.py --scale 1m`` (read in-process,
nothing is written). With top-k pruning (tantivy's block-max WAND), a top-1 over a word in
millions of documents reads a few blocks; without it every posting is scored and the time
follows the posting count, whatever the k. For single words from very common to rare, this
prints the p50 of top-1 / top-10 / top-200 / top-1000 searches, also with all matches counted,
and the nanoseconds per posting. Measured with tantivy 0.27: the same time for every k, ~6 ns
per posting, because tantivy-py's ``Searcher.search`` collects through a ``MultiCollector``
even when ``count=False``, which bypasses the pruning (search/keyword.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _search_common import reuse_1m_data_dir

WORDS = ("model", "learn", "languag", "transform", "diffus", "protein", "lidar")
DEPTHS = (1, 10, 200, 1000)


def p50_ms(searcher, query, depth: int, count: bool, repeat: int) -> float:
    searcher.search(query, depth, count=count)  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        searcher.search(query, depth, count=count)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", required=True, help="data dir of a search_latency.py 1m run")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    reuse_1m_data_dir(args.reuse)
    import tantivy

    from search.store import READER

    index = READER.snapshot().keyword_index
    searcher = index.searcher()
    print(f"{searcher.num_docs} papers, {searcher.num_segments} segment(s), field 'text'")
    head = " | ".join(f"top-{d}" for d in DEPTHS)
    print(f"| word (stem) | papers | {head} | top-10 counted | ns per posting |")
    print("|---|---|" + "---|" * (len(DEPTHS) + 2))
    for word in WORDS:
        postings = searcher.doc_freq("text", word)
        if not postings:
            continue
        query = tantivy.Query.term_query(index.schema, "text", word, index_option="freq")
        times = [p50_ms(searcher, query, d, False, args.repeat) for d in DEPTHS]
        counted = p50_ms(searcher, query, 10, True, args.repeat)
        cells = " | ".join(f"{t:.2f}" for t in times)
        per = times[1] * 1e6 / postings
        print(f"| {word} | {postings:,} | {cells} | {counted:.2f} | {per:.1f} |", flush=True)


if __name__ == "__main__":
    main()
