"""Import throughput: all of ../shared/data/hf_daily_papers and the shared arXiv JSONL.

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/import_speed.py [--with-search]
        [--batch-size 500] [--no-rerun]

Each source is imported into a fresh temporary SQLite database (the same settings as a real
install: WAL, per-batch transactions), then imported again to time an idempotent re-run
(everything "unchanged"). Prints papers/second for each. By default the ``papers_changed``
receivers (the search app's keyword indexing) are disconnected so the figure is the
importer's own; ``--with-search`` keeps them (embeddings stay off: TASKS_BACKEND=dummy).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
HF_DAYS = SHARED / "hf_daily_papers" / "days"
ARXIV_JSONL = SHARED / "arxiv" / "arxiv_cs_2025-03_2026-08.jsonl.gz"


def setup_django(data_dir: Path, with_search: bool) -> None:
    """Django on a fresh SQLite database in ``data_dir`` (must run before any model import)."""
    os.environ["DAILYPAPERS_DATA_DIR"] = str(data_dir)
    os.environ["SEARCH_INDEX_DIR"] = str(data_dir / "index")
    os.environ["TASKS_BACKEND"] = "dummy"
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not with_search:
        from papers.signals import papers_changed

        papers_changed.receivers.clear()
        papers_changed.sender_receivers_cache.clear()


def timed_import(items: Callable[[], Iterable], batch_size: int) -> tuple[float, object]:
    from papers.importers.runner import run_import

    started = time.perf_counter()
    stats = run_import(items(), batch_size=batch_size, progress=False)
    return time.perf_counter() - started, stats


def report(name: str, run: str, seconds: float, stats) -> None:
    rate = stats.written / seconds
    print(f"{name:<6} {run:<7} {stats.written:>7} papers {seconds:7.1f} s {rate:8.0f} papers/s"
          f"   ({stats.summary()})", flush=True)  # fmt: skip


def clear_database() -> None:
    """Start the next source from an empty database (the same file, so the same settings)."""
    from papers.models import Author, Organization, Paper

    Paper.objects.all().delete()
    Author.objects.all().delete()
    Organization.objects.all().delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--with-search", action="store_true", help="keep search's receivers")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--no-rerun", action="store_true", help="skip the idempotent re-run")
    args = parser.parse_args()
    if not HF_DAYS.is_dir() or not ARXIV_JSONL.is_file():
        print(f"shared data absent: need {HF_DAYS} and {ARXIV_JSONL}; nothing measured")
        return 1
    with tempfile.TemporaryDirectory(prefix="dp-import-bench-") as tmp:
        setup_django(Path(tmp), args.with_search)
        from papers.importers.hf import read_hf_paths
        from papers.importers.jsonl import read_jsonl_paths

        sources = {
            "hf": lambda: read_hf_paths([HF_DAYS]),
            "arxiv": lambda: read_jsonl_paths([ARXIV_JSONL]),
        }
        print(f"batch size {args.batch_size}; search receivers "
              f"{'on' if args.with_search else 'off'}; SQLite in {tmp}")  # fmt: skip
        for name, items in sources.items():
            clear_database()
            report(name, "fresh", *timed_import(items, args.batch_size))
            if not args.no_rerun:
                report(name, "re-run", *timed_import(items, args.batch_size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
