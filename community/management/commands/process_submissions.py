"""Retry submissions that were queued because arXiv could not be reached."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from community.services import process_pending_submissions


class Command(BaseCommand):
    help = "Fetch queued submissions from arXiv and add them to the feed (run from cron or --loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running, every --interval s")
        parser.add_argument("--interval", type=int, default=300, help="Seconds between runs")
        parser.add_argument("--limit", type=int, default=100, help="Submissions per run")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 1 or options["limit"] < 1:
            self.stderr.write("--interval and --limit must be at least 1")
            raise SystemExit(2)
        while True:
            stats = process_pending_submissions(limit=options["limit"])
            self.stdout.write(
                f"added {stats.added}, failed {stats.failed}, retry later {stats.retry_later}"
            )
            if not options["loop"]:
                return
            time.sleep(options["interval"])
