"""Feed-page and paper-page latency (median, p95) on a 10k+ paper SQLite database.

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/page_latency.py [--requests 200]
        [--db var/bench/pages.sqlite3] [--rebuild]

Builds the database once (reused on later runs; ``--rebuild`` starts over) by importing
../shared/data/hf_daily_papers with the project's ``import_hf`` command, then tops it up
to 10k+ papers from the shared arXiv JSONL with ``import_jsonl`` (or, when that command
does not exist, rows written with bulk_create — the script says which); embeddings are
not computed (TASKS_BACKEND=dummy) since only pages are measured. It then starts a
real HTTP server (gunicorn, 1 sync worker, DEBUG off) on that database and times N
sequential GET requests per page kind from this process with a keep-alive HTTP client.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
HF_DAYS = SHARED / "hf_daily_papers" / "days"
ARXIV_JSONL = SHARED / "arxiv" / "arxiv_cs_2025-03_2026-08.jsonl.gz"
MIN_PAPERS = 10_000
TOP_UP = 5_000  # arXiv rows added on top of the HF papers so the table has 10k+ papers


def _setup_django(db: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    # Pages are measured, not search: keep the derived index beside the database and skip
    # the (minutes-long) embedding of 10k papers that an immediate task backend would run.
    os.environ["SEARCH_INDEX_DIR"] = str(db.parent / "index")
    os.environ["TASKS_BACKEND"] = "dummy"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def _bulk_top_up(count: int) -> int:
    """Fallback when ``import_jsonl`` is missing: arXiv rows as bare papers (no feed entry)."""
    import datetime as dt

    from papers.models import Paper

    rows = []
    with gzip.open(ARXIV_JSONL, "rt") as lines:
        for line in lines:
            record = json.loads(line)
            published = dt.datetime.fromisoformat(record["listing_date"]).replace(tzinfo=dt.UTC)
            rows.append(
                Paper(
                    arxiv_id=record["id"],
                    title=record["title"],
                    abstract=record.get("abstract", ""),
                    published_at=published,
                    source="jsonl",
                )
            )
            if len(rows) >= count * 2:
                break
    return len(Paper.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500))


def build_database(db: Path, rebuild: bool) -> None:
    """Create (or reuse) the benchmark database with 10k+ papers; prints how it was made."""
    from django.core.management import call_command, get_commands

    from papers.models import DailyEntry, Paper

    if rebuild and db.exists():
        db.unlink()
    db.parent.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    if Paper.objects.count() >= MIN_PAPERS:
        print(f"reusing {db}")
    else:
        if not HF_DAYS.is_dir():
            sys.exit(f"{HF_DAYS} is absent: the benchmark needs the shared HF data")
        started = time.perf_counter()
        call_command("import_hf", str(HF_DAYS), no_progress=True)
        if Paper.objects.count() < MIN_PAPERS and ARXIV_JSONL.exists():
            if "import_jsonl" in get_commands():
                call_command("import_jsonl", str(ARXIV_JSONL), no_progress=True)
                print("topped up with import_jsonl (the shared arXiv file)")
            else:
                added = _bulk_top_up(TOP_UP)
                print(f"import_jsonl not available: added {added} arXiv rows with bulk_create")
        print(f"built {db} in {time.perf_counter() - started:.1f} s")
    print(f"papers: {Paper.objects.count()}, feed entries: {DailyEntry.objects.count()}")


def sample_paths(n: int, seed: int = 7) -> dict[str, list[str]]:
    """N request paths per page kind, drawn from real dates and ids in the database."""
    from papers.models import DailyEntry

    rng = random.Random(seed)
    dates = sorted(set(DailyEntry.objects.values_list("date", flat=True)))
    ids = list(DailyEntry.objects.values_list("paper__arxiv_id", flat=True))
    if not dates:
        sys.exit("the database has no feed entries")
    return {
        "feed /papers (latest day)": ["/papers"] * n,
        "feed /papers/date/<day>": [f"/papers/date/{rng.choice(dates)}" for _ in range(n)],
        "feed /papers/week/<week>": [
            "/papers/week/{}-W{:02d}".format(*rng.choice(dates).isocalendar()[:2])
            for _ in range(n // 4 or 1)
        ],
        "paper /papers/<arxiv_id>": [f"/papers/{rng.choice(ids)}" for _ in range(n)],
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn with one sync worker on ``db``; returns the process and its base URL."""
    port = _free_port()
    env = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING"}  # DATABASE_URL set by setup
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "dailypapers.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}", "-k", "sync"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    _wait_until_up(base, server)
    return server, base


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    import requests

    for _ in range(100):
        if server.poll() is not None:
            sys.exit("gunicorn exited during start-up")
        try:
            requests.get(f"{base}/papers", timeout=5)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    sys.exit("gunicorn did not answer within 10 s")


def time_requests(base: str, paths: list[str]) -> list[float]:
    """Wall-clock milliseconds per request; any non-200 answer aborts the benchmark."""
    import requests

    session = requests.Session()
    timings = []
    for path in paths:
        started = time.perf_counter()
        response = session.get(base + path, timeout=30)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"GET {path} answered {response.status_code}")
    return timings


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=REPO / "var" / "bench" / "pages.sqlite3")
    parser.add_argument("--requests", type=int, default=200, help="requests per page kind")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database")
    args = parser.parse_args()
    db = args.db.resolve()
    _setup_django(db)
    build_database(db, args.rebuild)
    plan = sample_paths(max(args.requests, 4))
    server, base = start_server(db)
    try:
        time_requests(base, [paths[0] for paths in plan.values()] * 3)  # warm caches
        print(f"gunicorn -w 1 (sync), sequential keep-alive requests, {base}")
        print(f"{'page':32} {'n':>5} {'median ms':>10} {'p95 ms':>9} {'max ms':>9}")
        for label, paths in plan.items():
            timings = time_requests(base, paths)
            median, p95 = statistics.median(timings), _p95(timings)
            print(f"{label:32} {len(timings):5d} {median:10.1f} {p95:9.1f} {max(timings):9.1f}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
