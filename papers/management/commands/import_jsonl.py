"""``manage.py import_jsonl PATH... [--daily]``: one paper per line (plain or .gz)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.management.base import CommandParser

from papers.importers.jsonl import read_jsonl_paths
from papers.importers.runner import ImportCommand
from papers.importers.sources import Item


class Command(ImportCommand):
    help = (
        "Import papers from JSON Lines files (.jsonl or .jsonl.gz), one paper per line. "
        "Papers become searchable; with --daily they are also put on the daily feed of "
        "their listing_date."
    )
    label = "import_jsonl"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="files, or folders of *.jsonl[.gz]")
        parser.add_argument(
            "--daily",
            action="store_true",
            help="also add each paper to the daily feed of its listing_date",
        )
        super().add_arguments(parser)

    def items(self, options: dict[str, Any]) -> Iterable[Item]:
        return read_jsonl_paths(options["paths"], daily=options["daily"])
