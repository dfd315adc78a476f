"""In-process cost of loading and serialising one page of paper cards at 1M papers.

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/card_loader.py <1M data dir>

Reads the data dir ``bench/search_latency.py --scale 1m`` wrote (read only), after reading
its files once into the page cache as that script does (otherwise random pages of a 4 GB data
dir measure the disk). Pages are 20 random paper ids (with their ~6 authorships each); prints
p50/p99 of ``load_cards`` alone and of ``load_cards`` + the JSON API's item serialisation,
over ``--pages`` pages.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _search_common import reuse_1m_data_dir
from search_latency import read_into_page_cache


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):.2f} ms, p99 {p99:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args()
    reuse_1m_data_dir(args.data_dir)
    read_into_page_cache(args.data_dir)
    from api.search import _item
    from papers.cards import load_cards
    from papers.models import Paper

    top = Paper.objects.order_by("-pk").values_list("pk", flat=True).first()
    rng = random.Random(0)
    pages = [rng.sample(range(1, top + 1), 20) for _ in range(args.pages)]
    load, serialise = [], []
    for ids in pages[:20]:  # warm the page cache and the code paths
        [_item(c) for c in load_cards(ids).values()]
    for ids in pages:
        started = time.perf_counter()
        cards = load_cards(ids)
        loaded = time.perf_counter()
        [_item(c) for c in cards.values()]
        done = time.perf_counter()
        load.append((loaded - started) * 1000)
        serialise.append((done - started) * 1000)
    print(f"load_cards, 20 papers: {_percentiles(load)}")
    print(f"load_cards + API items: {_percentiles(serialise)}")


if __name__ == "__main__":
    main()
