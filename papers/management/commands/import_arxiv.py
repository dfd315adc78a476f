"""``manage.py import_arxiv``: arXiv Atom / OAI-PMH XML files, or a live harvest.

    manage.py import_arxiv response1.xml oai/              # files or folders
    manage.py import_arxiv --fetch --category cs.CL --category cs.CV \\
        --from 2025-01-01 --to 2025-01-31                  # live, resumable
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import Any

from django.core.management.base import CommandError, CommandParser
from tqdm import tqdm

from papers.importers.arxiv import read_arxiv_paths
from papers.importers.arxiv_fetch import ArxivClient, ArxivUnavailable, fetch_pages, search_query
from papers.importers.records import PaperRecord, Rejected
from papers.importers.runner import ImportCommand, Reporter
from papers.importers.sources import Item
from papers.services import ImportStats, load_checkpoint, save_checkpoint, upsert_with_checkpoint


class Command(ImportCommand):
    help = (
        "Import arXiv metadata from API (Atom) or OAI-PMH (arXiv format) XML files, or fetch "
        "it live with --fetch --category C [--category C2] --from DATE --to DATE."
    )
    label = "import_arxiv"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="XML files, or folders of *.xml")
        parser.add_argument("--fetch", action="store_true", help="harvest live from arXiv")
        parser.add_argument("--category", action="append", default=[], help="e.g. cs.CL")
        parser.add_argument("--from", dest="date_from", help="first submission day YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="last submission day YYYY-MM-DD")
        parser.add_argument("--page-size", type=int, default=200, help="results per request")
        parser.add_argument("--delay", type=float, help="seconds between requests (default 3)")
        parser.add_argument("--retries", type=int, default=4, help="retries per request")
        parser.add_argument("--backoff", type=float, default=5.0, help="first retry pause (s)")
        parser.add_argument("--restart", action="store_true", help="ignore saved progress")
        super().add_arguments(parser)

    def items(self, options: dict[str, Any]) -> Iterable[Item]:
        return read_arxiv_paths(options["paths"])

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["fetch"]:
            if not options["paths"]:
                raise CommandError("give XML files or folders, or use --fetch (see --help)")
            return super().handle(*args, **options)
        if options["paths"]:
            raise CommandError("--fetch does not take file paths")
        return self.harvest(options)

    def harvest(self, options: dict[str, Any]) -> None:
        """Fetch every page of the query, storing each page with the checkpoint."""
        categories, date_from, date_to = _harvest_params(options)
        key = f"arxiv-api:{'+'.join(sorted(categories))}:{date_from}:{date_to}"
        state = {} if options["restart"] else load_checkpoint(key)
        if state.get("complete"):
            self.stdout.write(
                f"{self.label}: already complete ({state.get('total', 0)} results); "
                "use --restart to fetch the range again"
            )
            return
        started, stats = time.monotonic(), ImportStats()
        try:
            self._harvest_pages(
                options, key, state, search_query(categories, date_from, date_to), stats
            )
        except ArxivUnavailable as error:
            self.finish(stats, time.monotonic() - started, check=False)
            raise CommandError(
                f"{error}. Progress is saved: re-run the same command to continue."
            ) from None
        self.finish(stats, time.monotonic() - started)

    def _harvest_pages(
        self,
        options: dict[str, Any],
        key: str,
        state: dict[str, Any],
        query: str,
        stats: ImportStats,
    ) -> None:
        start = int(state.get("start", 0))
        progress = not options["no_progress"] and options["verbosity"] > 0
        stream = self.stderr._out
        with tqdm(
            desc=self.label,
            unit=" papers",
            initial=start,
            total=state.get("total"),
            file=stream,
            disable=not progress,
        ) as bar:
            report = Reporter(bar, stream)
            client = _client(options, on_retry=report)
            total = start
            for page in fetch_pages(client, query, start, options["page_size"]):
                bar.total, total = page.total, page.total
                _store_page(
                    page.items,
                    key,
                    {"start": page.next_start, "total": page.total},
                    options["batch_size"],
                    stats,
                    report,
                )
                bar.update(len(page.items))
            save_checkpoint(key, {"start": total, "total": total, "complete": True})
            report.close()


def _store_page(
    items: list[PaperRecord | Rejected],
    key: str,
    state: dict[str, Any],
    batch_size: int,
    stats: ImportStats,
    report: Reporter,
) -> None:
    for item in items:
        if isinstance(item, Rejected):
            stats.rejected += 1
            report(item)
    records = [item for item in items if isinstance(item, PaperRecord)]
    upsert_with_checkpoint(
        records, key, state, batch_size=batch_size, stats=stats, on_reject=report
    )


def _client(options: dict[str, Any], on_retry: Any) -> ArxivClient:
    overrides: dict[str, Any] = {"retries": options["retries"], "backoff": options["backoff"]}
    if options["delay"] is not None:
        overrides["delay"] = options["delay"]
    return ArxivClient.from_settings(on_retry=on_retry, **overrides)


def _harvest_params(options: dict[str, Any]) -> tuple[list[str], dt.date, dt.date]:
    categories = sorted({c.strip() for c in options["category"] if c.strip()})
    if not categories:
        raise CommandError("--fetch needs at least one --category (e.g. --category cs.CL)")
    date_from, date_to = _date(options["date_from"], "--from"), _date(options["date_to"], "--to")
    if date_from > date_to:
        raise CommandError(f"--from {date_from} is after --to {date_to}")
    if options["page_size"] < 1 or options["page_size"] > 2000:
        raise CommandError("--page-size must be between 1 and 2000 (arXiv's limit)")
    return categories, date_from, date_to


def _date(value: str | None, flag: str) -> dt.date:
    if not value:
        raise CommandError(f"--fetch needs {flag} YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{flag} {value!r} is not a date (YYYY-MM-DD)") from None
