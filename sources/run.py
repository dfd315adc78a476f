"""What a fetcher gets while it runs: counts, a progress bar, and ``commit`` to store a page
of papers together with the source's cursor in one transaction (renewing the lease)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db import transaction
from tqdm import tqdm

from papers.importers.records import PaperRecord, Rejected
from papers.services import ImportStats, upsert_papers
from sources.services import renew_lease


@dataclass
class Run:
    name: str
    owner: str
    cursor: dict[str, Any]
    progress: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    stats: ImportStats = field(default_factory=ImportStats)
    messages: list[str] = field(default_factory=list)
    bar: tqdm | None = None

    def __post_init__(self) -> None:
        self.bar = tqdm(
            desc=f"follow {self.name}",
            unit=" papers",
            file=self.stream,
            disable=not self.progress,
            mininterval=0.5,
        )

    def say(self, message: str) -> None:
        """A line above the progress bar (retries, rejected records)."""
        self.messages.append(message)
        if self.progress and self.bar is not None:
            self.bar.write(message, file=self.stream)

    def commit(
        self,
        items: list[PaperRecord | Rejected],
        cursor: dict[str, Any],
        also: Callable[[], Any] | None = None,
        done: int | None = None,
    ) -> None:
        """Store ``items`` (and run ``also``) with the new ``cursor``, all or nothing;
        the progress bar advances by ``done`` (default: the number of items)."""
        records = [item for item in items if isinstance(item, PaperRecord)]
        for item in items:
            if isinstance(item, Rejected):
                self.stats.rejected += 1
                self.say(str(item))
        before = (self.stats.added, self.stats.updated, self.stats.unchanged, self.stats.rejected)
        try:
            with transaction.atomic():
                upsert_papers(records, stats=self.stats, on_reject=self.say)
                if also is not None:
                    also()
                renew_lease(self.name, self.owner, cursor)
        except BaseException:
            # Nothing of the page was stored: its counts must not be reported either.
            self.stats.added, self.stats.updated, self.stats.unchanged = before[:3]
            self.stats.rejected = before[3]
            raise
        self.cursor = cursor
        if self.bar is not None:
            self.bar.update(len(items) if done is None else done)

    def set_total(self, total: int | None) -> None:
        if self.bar is not None and total:
            self.bar.total = total
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
