"""``manage.py restore PATH``: replace the database content with a backup."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dailypapers.backup import BackupError, restore
from search.service import rebuild_index


class Command(BaseCommand):
    help = (
        "Restore the database from a file made by `backup` (same engine). Replaces ALL "
        "current data, then rebuilds this machine's search index from it (other machines "
        "rebuild theirs on their next `search_index update`)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="backup file made by `manage.py backup`")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="do not ask for confirmation (required without a tty)",
        )
        parser.add_argument(
            "--no-reindex",
            action="store_true",
            help="leave the search index to the next `search_index update` (or rebuild)",
        )

    def handle(
        self, *args, path: str, yes: bool = False, no_reindex: bool = False, **options
    ) -> None:
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
        if no_reindex:
            self.stdout.write("The search index is rebuilt by the next `search_index update`.")
            return
        self.stdout.write("Rebuilding the search index from the restored data ...")
        try:
            rebuild_index()
        except Exception as exc:  # the restore itself succeeded: say so, and what to run
            raise CommandError(
                f"the database was restored, but rebuilding the search index failed ({exc}); "
                "run `manage.py search_index rebuild`"
            ) from exc
        self.stdout.write("Search index rebuilt.")
