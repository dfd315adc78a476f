"""Catch-up throughput of the live sources against a local fake upstream (delay 0).

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/follow_speed.py [--arxiv N]

arXiv: N records (titles and categories from ../shared/data/arxiv when present, else
synthetic) served as OAI-PMH arXivRaw pages of 1,000 records with resumption tokens.
Hugging Face: every day of ../shared/data/hf_daily_papers served as /api/daily_papers.
Each source runs ``sources.follow.run_source`` on a fresh SQLite database with the
politeness delay at 0, so the figure is our parsing and storing. Then the duration of a
real arXiv catch-up of N days at arXiv's one request every 3 s is computed from the
stated records-per-day and page-size assumptions plus the measured per-page work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import sys
import tempfile
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

from import_speed import setup_django  # bench/ is on sys.path when a script runs

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
HF_DAYS = SHARED / "hf_daily_papers" / "days"
ARXIV_JSONL = SHARED / "arxiv" / "arxiv_cs_2025-03_2026-08.jsonl.gz"
PAGE = 1000  # records per arXiv OAI-PMH ListRecords page (assumption, see the README)
RECORDS_PER_DAY = 1100  # set "cs": ~700 new + ~400 replaced/cross-listed records a weekday


def arxiv_records(count: int) -> list:
    from tests.sources.upstream import RawPaper

    today = dt.date.today().isoformat()
    rows = []
    if ARXIV_JSONL.is_file():
        with gzip.open(ARXIV_JSONL, "rt") as lines:
            for n, line in zip(range(count), lines, strict=False):
                data = json.loads(line)
                title = data.get("title") or f"Paper {n}"
                cats = data.get("categories") or "cs.CL"
                cats = cats if isinstance(cats, str) else " ".join(cats)
                rows.append(
                    RawPaper(f"9{n // 100000:03d}.{n % 100000:05d}", title, cats, datestamp=today)
                )
    else:
        print(f"{ARXIV_JSONL} absent: synthetic arXiv records")
    for n in range(len(rows), count):
        rows.append(
            RawPaper(f"9{n // 100000:03d}.{n % 100000:05d}", f"Paper {n}", "cs.CL", datestamp=today)
        )
    return rows


def clear() -> None:
    from papers.models import Author, Paper
    from sources.models import SourceState

    Paper.objects.all().delete()
    Author.objects.all().delete()
    SourceState.objects.all().delete()


def timed_run(name: str, server: ThreadingHTTPServer) -> tuple[float, int]:
    """Seconds and papers stored by one run of source ``name`` against the fake upstream."""
    from sources.follow import run_source

    started = time.perf_counter()
    outcome = run_source(name)
    seconds = time.perf_counter() - started
    server.shutdown()
    assert outcome.status == "ok", outcome.error
    return seconds, outcome.added + outcome.updated + outcome.unchanged


def bench_arxiv(count: int) -> float:
    from django.conf import settings

    from tests.sources.upstream import FakeUpstream, serve

    fake = FakeUpstream(oai_records=arxiv_records(count), oai_page_size=PAGE)
    server, base = serve(fake)
    settings.ARXIV_OAI_URL = f"{base}/oai"
    # Every category of the records is followed, so every record is stored.
    settings.FOLLOW_ARXIV_CATEGORIES = sorted(
        {c for r in fake.oai_records for c in r.categories.split() if c.startswith("cs.")}
    )
    seconds, stored = timed_run("arxiv", server)
    pages = len(fake.oai_requests())
    rate = stored / seconds
    print(f"arXiv  {stored:>7} papers {pages:>4} pages {seconds:7.1f} s {rate:8.0f} papers/s")
    print(f"       ({seconds / pages:.2f} s of our work per page of {PAGE})")
    return seconds / pages


def bench_hf() -> None:
    from django.conf import settings

    from tests.sources.upstream import FakeUpstream, serve

    if not HF_DAYS.is_dir():
        print(f"{HF_DAYS} absent: Hugging Face not measured")
        return
    days = {p.stem: json.loads(p.read_text()) for p in sorted(HF_DAYS.glob("*.json"))}
    fake = FakeUpstream(hf_days=days)
    server, base = serve(fake)
    settings.HF_API_URL = base
    first = dt.date.fromisoformat(min(days))
    settings.FOLLOW_HF_BACKFILL_DAYS = (dt.date.today() - first).days
    seconds, stored = timed_run("hf", server)
    requests = len([r for r in fake.requests if r[0] == "/api/daily_papers"])
    rate = stored / seconds
    print(f"HF     {stored:>7} items  {requests:>4} days  {seconds:7.1f} s {rate:8.0f} papers/s")


def real_catch_up(work_per_page: float) -> None:
    print(
        f"\nReal arXiv catch-up: one request every 3 s (our work per page, {work_per_page:.2f} s,"
        f" overlaps the wait), ~2 s for arXiv to answer a page, set 'cs' at ~{RECORDS_PER_DAY}"
        f" records a weekday, {PAGE} records a page:"
    )
    for days in (1, 7, 30, 90):
        weekdays = days * 5 / 7
        pages = max(1, round(weekdays * RECORDS_PER_DAY / PAGE + 0.5))
        seconds = pages * max(3.0, work_per_page) + pages * 2.0  # + ~2 s arXiv's answer time
        print(f"  {days:>3} days: {pages:>4} requests, about {seconds / 60:5.1f} min")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arxiv", type=int, default=20_000, help="arXiv records to serve")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp), with_search=False)  # the figure is the sources' own
        from django.conf import settings

        settings.ARXIV_REQUEST_DELAY = settings.FOLLOW_REQUEST_DELAY = 0
        settings.FOLLOW_HTTP_BACKOFF = 0
        work = bench_arxiv(args.arxiv)
        clear()
        bench_hf()
        real_catch_up(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
