"""``manage.py import_hf PATH...``: Hugging Face daily-papers JSON files or folders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.management.base import CommandParser

from papers.importers.hf import read_hf_paths
from papers.importers.runner import ImportCommand
from papers.importers.sources import Item


class Command(ImportCommand):
    help = "Import Hugging Face /api/daily_papers JSON files (or folders of them)."
    label = "import_hf"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="JSON files or folders of *.json files")
        super().add_arguments(parser)

    def items(self, options: dict[str, Any]) -> Iterable[Item]:
        return read_hf_paths(options["paths"])
