"""``manage.py enqueue COMMAND [ARGS...]``: queue a job for the background workers."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError

from dailypapers.tasks import ALLOWED_COMMANDS, NotAllowed, check_command, run_command


class Command(BaseCommand):
    help = (
        "Queue a management command for `manage.py worker` processes (TASKS_BACKEND=database). "
        f"Allowed: {', '.join(sorted(ALLOWED_COMMANDS))}."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("command_name", metavar="COMMAND")
        parser.add_argument("command_args", nargs=argparse.REMAINDER, help="its arguments")
        parser.add_argument("--queue", default="default", help="queue name (default: default)")

    def handle(self, *args, command_name: str, queue: str, **options) -> None:
        try:
            check_command(command_name)
        except NotAllowed as exc:
            raise CommandError(str(exc)) from None
        result = run_command.using(queue_name=queue).enqueue(
            command_name, list(options["command_args"])
        )
        self.stdout.write(f"Queued {command_name} as task {result.id} ({result.status})")
