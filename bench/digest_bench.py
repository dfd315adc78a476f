"""Digest delivery benchmark: render and send N digests to a local aiosmtpd server.

Creates a fresh SQLite database in a temporary directory (never touches var/), seeds
papers on today's feed and N confirmed subscribers (10% with a topic filter), starts an
aiosmtpd server in a separate process (so it does not share our GIL), and times one
``send_digests`` run: claim, plan, render HTML + text, SMTP, record. Goal: 10k in <= 60 s.

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/digest_bench.py [--subscribers N]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOPICS = ["graph neural networks", "diffusion models", "robot learning", "language models"]
WORDS = ["graph", "diffusion", "robot", "language", "vision", "speech", "protein", "agents"]


def serve_smtp(port: int) -> None:
    """Child process: accept and count messages until SIGTERM, then print the count."""
    from aiosmtpd.controller import Controller

    class Counter:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Counter.count += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)

    def stop(*_):
        controller.stop()
        print(Counter.count, flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        signal.pause()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configure(data_dir: str, port: int) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dailypapers.settings",
        DAILYPAPERS_DATA_DIR=data_dir,
        SECRET_KEY="digest-bench-secret-key-0123456789abcdefghij",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        SITE_URL="https://papers.example.org",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def seed(subscribers: int) -> None:
    import datetime as dt

    from django.core.management import call_command

    from digests.models import Subscription
    from search.service import index_papers
    from tests.factories import make_daily_paper

    call_command("migrate", verbosity=0)
    today = dt.date.today()
    ids = []
    for i in range(40):
        word = WORDS[i % len(WORDS)]
        entry = make_daily_paper(
            today,
            title=f"Advances in {word} research, part {i}",
            abstract=f"We study {word} problems at scale. " * 12,
            authors=tuple(f"Author {i}-{j}" for j in range(8)),
            imported_upvotes=100 - i,
            upvotes=100 - i,
            github_repo=f"https://github.com/example/{word}{i}",
        )
        ids.append(entry.paper.pk)
    index_papers(ids)
    Subscription.objects.bulk_create(
        [
            Subscription(
                email=f"reader{i}@example.org",
                confirmed=True,
                size=10,
                topic=TOPICS[i % len(TOPICS)] if i % 10 == 0 else "",
            )
            for i in range(subscribers)
        ],
        batch_size=1000,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None, help="default DIGEST_SEND_WORKERS")
    parser.add_argument("--smtp-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smtp_server:
        serve_smtp(args.smtp_server)
        return 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--smtp-server", str(port)], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as data_dir:
        configure(data_dir, port)
        started = time.perf_counter()
        seed(args.subscribers)
        print(f"seeded {args.subscribers} subscribers in {time.perf_counter() - started:.1f} s")

        from django.utils import timezone

        from digests.delivery import send_digests

        load = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        report = send_digests("daily", timezone.now(), workers=args.workers)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    server.send_signal(signal.SIGTERM)
    received = int(server.communicate(timeout=30)[0].strip() or 0)
    print(report.summary())
    print(f"SMTP server received {received} messages")
    per_digest = cpu / max(report.sent, 1) * 1000
    print(f"sender CPU {cpu:.1f} s ({per_digest:.2f} ms/digest); load average {load:.1f}")
    print(f"total {elapsed:.1f} s for {report.sent} digests: {report.sent / elapsed:.0f} digests/s")
    print(f"goal 10k in <= 60 s: {'met' if elapsed <= 60 and report.sent >= 10_000 else 'NOT met'}")
    return 0 if received == report.sent == args.subscribers else 1


if __name__ == "__main__":
    sys.exit(main())
