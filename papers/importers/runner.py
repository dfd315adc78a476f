"""Running an import: progress bar, per-record messages, summary, and the command base class."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from papers.importers.records import InputFailure, PaperRecord, Rejected
from papers.importers.sources import Item
from papers.services import DEFAULT_BATCH_SIZE, ImportStats, upsert_papers

MAX_MESSAGES = 200


class Reporter:
    """Writes rejection/failure messages above the progress bar, up to a limit."""

    def __init__(self, bar: tqdm, stream: TextIO) -> None:
        self.bar, self.stream, self.shown, self.hidden = bar, stream, 0, 0

    def __call__(self, message: object) -> None:
        if self.shown >= MAX_MESSAGES and not isinstance(message, InputFailure):
            self.hidden += 1
            return
        self.shown += 1
        self.bar.write(str(message), file=self.stream)

    def close(self) -> None:
        if self.hidden:
            self.stream.write(f"... and {self.hidden} more rejected records not shown\n")


def run_import(
    items: Iterable[Item],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = True,
    stream: TextIO | None = None,
    label: str = "import",
) -> ImportStats:
    """Write the records in ``items``, reporting rejects and unusable inputs to ``stream``."""
    stream = stream or sys.stderr
    stats = ImportStats()
    bar = tqdm(desc=label, unit=" records", file=stream, disable=not progress, mininterval=0.5)
    report = Reporter(bar, stream)
    try:
        records = _records(items, stats, report, bar)
        upsert_papers(records, batch_size=batch_size, stats=stats, on_reject=report)
    finally:
        bar.close()
        report.close()
    return stats


def _records(
    items: Iterable[Item], stats: ImportStats, report: Reporter, bar: tqdm
) -> Iterator[PaperRecord]:
    for item in items:
        if isinstance(item, InputFailure):
            stats.failed_inputs.append(str(item))
            report(item)
            continue
        bar.update()
        if isinstance(item, Rejected):
            stats.rejected += 1
            report(item)
            continue
        yield item


class ImportCommand(BaseCommand):
    """Shared options and output of the import commands (subclasses give ``items``)."""

    label = "import"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="papers per transaction (default %(default)s)",
        )
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def items(self, options: dict[str, Any]) -> Iterable[Item]:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        started = time.monotonic()
        try:
            stats = run_import(
                self.items(options),
                batch_size=options["batch_size"],
                progress=not options["no_progress"] and options["verbosity"] > 0,
                stream=self.stderr._out,
                label=self.label,
            )
        except DatabaseError as error:
            raise CommandError(
                f"database error: {error} (committed batches are kept; re-run to continue)"
            ) from error
        self.finish(stats, time.monotonic() - started)

    def finish(self, stats: ImportStats, seconds: float, check: bool = True) -> None:
        """Print the summary line; fail (non-zero exit) when some input was unusable."""
        rate = stats.written / seconds if seconds > 0 else 0.0
        self.stdout.write(f"{self.label}: {stats.summary()} ({seconds:.1f} s, {rate:.0f} papers/s)")
        if check and stats.failed_inputs:
            raise CommandError(f"{len(stats.failed_inputs)} input(s) could not be used (see above)")
