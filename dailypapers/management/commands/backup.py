"""``manage.py backup [PATH]``: a consistent copy of the database (see dailypapers/backup.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dailypapers.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database: SQLite with the online backup API, PostgreSQL with pg_dump -Fc. "
        "Safe while the site is serving. PATH defaults to DATA_DIR/backups/."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", help="file (or directory) to write")

    def handle(self, *args, path: str | None = None, **options) -> None:
        try:
            written = backup(path or None)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        size = written.stat().st_size
        self.stdout.write(f"Backed up the database to {written} ({size:,} bytes)")
