"""Community benchmark: upvote requests/s and trending-page latency on a large database.

Builds a throw-away SQLite database (WAL, same settings as production) with 10k papers on
the daily feed of the last 60 days, 2k users and 100k votes, then measures through the full
Django stack (middleware, sessions, CSRF-exempt test client, templates):

* upvote POSTs per second (htmx partial responses, each one a real vote toggle), single
  thread and 4 threads;
* /papers/trending latency (p50/p95) for today/week/month with the ranking cache off, and
  the ``trending_papers()`` call alone.

Run (never two benchmarks at once on this 2-core machine):

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/community_bench.py
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _configure(data_dir: str) -> None:
    os.environ["DAILYPAPERS_DATA_DIR"] = data_dir
    os.environ["TRENDING_CACHE_SECONDS"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "dailypapers.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    # Many votes from a few simulated users: lift every rate limit for the whole run.
    unlimited = {scope: (10**9, window) for scope, (_, window) in settings.RATE_LIMITS.items()}
    override_settings(RATE_LIMITS=unlimited).enable()

    call_command("migrate", verbosity=0)


def _populate(papers: int, users: int, votes: int, seed: int = 7) -> None:
    import datetime as dt

    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from community.models import Comment, Vote
    from papers.models import DailyEntry, Paper

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        User.objects.bulk_create(
            [User(username=f"user{i}", password="!") for i in range(users)], batch_size=1000
        )
        Paper.objects.bulk_create(
            [
                Paper(
                    arxiv_id=f"25{i // 100000:02d}.{i % 100000:05d}",
                    title=f"Benchmark paper {i}",
                    abstract="An abstract. " * 20,
                    published_at=now - dt.timedelta(days=i % 60),
                    imported_upvotes=rng.randint(0, 40),
                )
                for i in range(papers)
            ],
            batch_size=2000,
        )
        paper_ids = list(Paper.objects.values_list("id", flat=True))
        DailyEntry.objects.bulk_create(
            [
                DailyEntry(paper_id=pk, date=today - dt.timedelta(days=n % 60))
                for n, pk in enumerate(paper_ids)
            ],
            batch_size=5000,
        )
        user_ids = list(User.objects.values_list("id", flat=True))
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < votes:
            pairs.add((rng.choice(user_ids), rng.choice(paper_ids)))
        Vote.objects.bulk_create(
            [
                Vote(user_id=u, paper_id=p, created_at=now - dt.timedelta(hours=rng.random() * 900))
                for u, p in pairs
            ],
            batch_size=5000,
        )
        Comment.objects.bulk_create(
            [
                Comment(
                    paper_id=rng.choice(paper_ids),
                    author_id=rng.choice(user_ids),
                    body="x",
                    body_html="<p>x</p>",
                    created_at=now - dt.timedelta(hours=rng.random() * 900),
                )
                for _ in range(votes // 10)
            ],
            batch_size=5000,
        )
    _sync_counters()


def _sync_counters() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE papers_paper SET upvotes = imported_upvotes + "
            "(SELECT COUNT(*) FROM community_vote v WHERE v.paper_id = papers_paper.id), "
            "num_comments = (SELECT COUNT(*) FROM community_comment c "
            "WHERE c.paper_id = papers_paper.id)"
        )


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000
    return f"p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   (n={len(ordered)})"


def _upvotes(requests: int, threads: int) -> float:
    from django.contrib.auth.models import User
    from django.db import connections
    from django.test import Client

    from papers.models import Paper

    arxiv_ids = list(Paper.objects.values_list("arxiv_id", flat=True)[:2000])
    users = list(User.objects.order_by("id")[:threads])
    per_thread = requests // threads
    failures: list[str] = []

    def work(user) -> None:
        client = Client()
        client.force_login(user)
        rng = random.Random(user.pk)
        for _ in range(per_thread):
            url = f"/papers/{rng.choice(arxiv_ids)}/upvote"
            # Like the button: it posts the wanted state (vote=1/0), here chosen at random.
            response = client.post(url, {"vote": rng.choice("01")}, HTTP_HX_REQUEST="true")
            if response.status_code != 200:
                failures.append(f"{url}: {response.status_code}")
        connections.close_all()

    workers = [threading.Thread(target=work, args=(u,)) for u in users]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"upvote failures: {failures[:5]}")
    return per_thread * threads / elapsed


def _trending(rounds: int) -> None:
    from django.test import Client

    from community.trending import trending_papers

    client = Client()
    for period in ("today", "week", "month"):
        client.get(f"/papers/trending?period={period}")  # warm up
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.get(f"/papers/trending?period={period}")
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200
        print(f"  trending page  {period:5}  {_percentiles(samples)}")
    from django.test import override_settings

    with override_settings(TRENDING_CACHE_SECONDS=60):
        for period in ("week", "month"):
            client.get(f"/papers/trending?period={period}")  # fills the ranking cache
            samples = []
            for _ in range(rounds):
                start = time.perf_counter()
                client.get(f"/papers/trending?period={period}")
                samples.append(time.perf_counter() - start)
            print(f"  trending page  {period:5}  {_percentiles(samples)}  (ranking cached)")
    for period in ("week", "month"):
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            trending_papers(period)  # type: ignore[arg-type]
            samples.append(time.perf_counter() - start)
        print(f"  trending_papers({period!r:7}) {_percentiles(samples)}")


def _check_consistency() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM papers_paper p WHERE p.upvotes != p.imported_upvotes + "
            "(SELECT COUNT(*) FROM community_vote v WHERE v.paper_id = p.id)"
        )
        drift = cursor.fetchone()[0]
    print(f"  papers whose upvote counter drifted from the votes: {drift}")
    if drift:
        raise SystemExit("counter drift detected")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--votes", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=2_000, help="upvote POSTs per run")
    parser.add_argument("--rounds", type=int, default=30, help="trending requests per period")
    args = parser.parse_args()
    if args.votes > args.papers * args.users:
        parser.error("--votes cannot exceed papers x users (one vote per user and paper)")
    with tempfile.TemporaryDirectory(prefix="dp-community-bench-") as data_dir:
        _configure(data_dir)
        start = time.perf_counter()
        _populate(args.papers, args.users, args.votes)
        print(
            f"database: {args.papers} papers, {args.users} users, {args.votes} votes, "
            f"{args.votes // 10} comments (built in {time.perf_counter() - start:.1f} s)"
        )
        print("upvotes (POST /papers/<id>/upvote via htmx, full middleware stack):")
        for threads in (1, 4):
            rate = _upvotes(args.requests, threads)
            print(f"  {threads} thread(s): {rate:7.0f} requests/s")
        _check_consistency()
        print("trending (ranking cache off; one SQL statement per ranking):")
        _trending(args.rounds)


if __name__ == "__main__":
    main()
