"""``manage.py restore PATH``: replace the database content with a backup."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dailypapers.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore the database from a file made by `backup` (same engine). Replaces ALL "
        "current data. Rebuild the search index afterwards (`manage.py search_index`)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="backup file made by `manage.py backup`")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="do not ask for confirmation (required without a tty)",
        )

    def handle(self, *args, path: str, yes: bool = False, **options) -> None:
        name = connection.settings_dict["NAME"]
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError(f"restore replaces all data in {name}; re-run with --yes")
            answer = input(f"Replace ALL data in {name} with {path}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("restore cancelled; nothing changed")
        try:
            restore(Path(path))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored {name} from {path}.")
        self.stdout.write("Rebuild the derived search index now: manage.py search_index")
