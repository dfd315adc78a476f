"""``manage.py load_demo [--if-empty] [--keep-dates]``: the bundled demo papers (recent real
HF days), their feed days moved so the newest is today (``papers/demo/dates.py``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from papers.demo.dates import shifted
from papers.importers.hf import read_hf_lines
from papers.importers.runner import run_import
from papers.models import Paper
from search.service import prepare_model

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "hf_daily_recent.jsonl.gz"


class Command(BaseCommand):
    help = "Load the bundled demo data (about 3,000 recent Hugging Face daily papers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has papers"
        )
        parser.add_argument("--path", type=Path, default=DEMO_FILE, help=f"default {DEMO_FILE}")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
        parser.add_argument(
            "--keep-dates",
            action="store_true",
            help="keep the real feed days instead of moving the newest to today",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo's vectors ship with it, but queries need the model: derive it before the
        # server starts rather than in the first search.
        prepare_model()
        if options["if_empty"] and Paper.objects.exists():
            self.stdout.write("load_demo: the database already has papers; demo not loaded")
            return
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"demo data not found: {path}")
        self.stdout.write(f"load_demo: loading demo papers from {path.name} ...")
        started = time.monotonic()
        items = read_hf_lines(path)
        if not options["keep_dates"]:
            items = shifted(items, timezone.localdate())
        stats = run_import(
            items,
            progress=not options["no_progress"] and options["verbosity"] > 0,
            stream=self.stderr._out,
            label="load_demo",
        )
        seconds = time.monotonic() - started
        self.stdout.write(f"load_demo: {stats.summary()} ({seconds:.1f} s)")
        if stats.failed_inputs:
            raise CommandError("the demo file could not be read completely (see above)")
