"""``manage.py send_digests``: mail the digests that are due now (or forever with --loop).

Without --frequency, sends whatever is due at this moment: daily digests on weekdays and
the weekly one on DIGEST_WEEKLY_WEEKDAY, both from DIGEST_SEND_HOUR (local time). Safe to
run from cron every few minutes and on several machines at once: each digest is claimed in
the database before it is sent (see digests.delivery).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from digests.delivery import RunReport, send_digests
from digests.models import Subscription
from digests.queries import is_due

FREQUENCIES = ("daily", "weekly")


class Command(BaseCommand):
    help = "Send the email digests that are due (daily on weekdays, weekly once a week)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--frequency", choices=FREQUENCIES, help="send it even if not due")
        parser.add_argument("--dry-run", action="store_true", help="show who would get what")
        parser.add_argument("--to", metavar="EMAIL", help="only this subscriber")
        parser.add_argument("--loop", action="store_true", help="run every --interval seconds")
        parser.add_argument("--interval", type=int, default=300, help="seconds between checks")

    def handle(self, *args, **options) -> None:
        if options["interval"] < 1:
            raise CommandError("--interval must be at least 1 second")
        if options["to"]:
            self._check_recipient(options["to"])
        if not options["loop"]:
            if not self._run_once(options):
                raise CommandError("sending stopped early; see the report above")
            return
        while True:
            try:
                self._run_once(options)
            except Exception as exc:  # keep the loop alive; claims make the retry safe
                self.stderr.write(f"digest run failed: {exc}")
            time.sleep(options["interval"])

    def _check_recipient(self, email: str) -> None:
        found = Subscription.objects.filter(email=email.strip().lower()).first()
        if found is None:
            raise CommandError(f"No subscription for {email}. Subscribe it first on the site.")
        if not found.is_active:
            raise CommandError(f"The subscription of {email} is {found.status_label}.")

    def _run_once(self, options: dict) -> bool:
        now = timezone.now()
        frequencies = [options["frequency"]] if options["frequency"] else FREQUENCIES
        ok = True
        for frequency in frequencies:
            if not options["frequency"] and not is_due(frequency, now):
                self.stdout.write(f"{frequency}: not due at {timezone.localtime(now):%a %H:%M}")
                continue
            report = send_digests(frequency, now, to=options["to"], dry_run=options["dry_run"])
            self._print(report, options["dry_run"])
            ok = ok and not report.aborted
        return ok

    def _print(self, report: RunReport, dry_run: bool) -> None:
        for line in report.dry_run_lines:
            self.stdout.write(f"  would send {line}")
        prefix = "[dry run] " if dry_run else ""
        self.stdout.write(f"{prefix}{report.frequency} {report.summary()}")
