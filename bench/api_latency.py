"""API latency: ``GET /api/daily_papers`` (day / week / month, 50 items), ``GET /api/papers/{id}``
and the CLI's local ``papers ls`` path, over the real HF days in ../shared/data.

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/api_latency.py [--days N]

Imports the last N day files (default 120) into a throw-away SQLite database, then prints
median and p95 milliseconds per request (in-process, through the full middleware stack)
and the number of SQL queries per request.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _search_common import SHARED, require, setup_django


def timed(client, path: str, runs: int) -> tuple[float, float, int]:
    from django.db import connection

    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], len(executed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    days = sorted(require(SHARED / "hf_daily_papers" / "days").glob("*.json"))[-args.days :]
    setup_django()
    from django.core.management import call_command
    from django.test import Client

    from papers.models import DailyEntry

    started = time.perf_counter()
    call_command("import_hf", *map(str, days), "--no-progress", verbosity=0)
    print(
        f"imported {len(days)} days, {DailyEntry.objects.count()} entries "
        f"in {time.perf_counter() - started:.1f} s"
    )
    last = DailyEntry.objects.order_by("-date").first()
    date = last.date
    year, week, _ = date.isocalendar()
    client = Client()
    paths = {
        "daily_papers (latest day)": "/api/daily_papers",
        "daily_papers?date": f"/api/daily_papers?date={date}",
        "daily_papers?week": f"/api/daily_papers?week={year}-W{week:02d}",
        "daily_papers?month (limit 100)": f"/api/daily_papers?month={date:%Y-%m}&limit=100",
        "papers/{id}": f"/api/papers/{last.paper.arxiv_id}",
        "papers/{id}.md": f"/papers/{last.paper.arxiv_id}.md",
    }
    print(f"{'endpoint':34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, path in paths.items():
        median, p95, queries = timed(client, path, args.runs)
        print(f"{label:34} {median:10.1f} {p95:8.1f} {queries:8d}")
    from dailypapers.cli import main as cli

    samples = []
    for _ in range(args.runs):
        start = time.perf_counter()
        with redirect_stdout(StringIO()):
            assert cli(["papers", "ls", "--month", f"{date:%Y-%m}", "--limit", "100"]) == 0
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    print(
        f"{'cli papers ls --month (in-process)':34} {statistics.median(samples):10.1f} "
        f"{samples[int(len(samples) * 0.95) - 1]:8.1f}"
    )


if __name__ == "__main__":
    main()
