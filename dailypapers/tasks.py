"""Background jobs for worker processes: any allow-listed management command as a task.

``manage.py enqueue import_jsonl /data/papers.jsonl.gz`` queues a job; a ``manage.py worker``
on any machine sharing the database runs it. Every allow-listed command is safe to run again
after a crash (imports upsert and commit per batch, the index rebuild is atomic, digests are
claimed per subscriber), which is what lets a restarted worker finish a killed job.
"""

from __future__ import annotations

import io

from django.core.management import call_command
from django_tasks import task

# Commands a queued job may run (each is idempotent: see the module docstring).
ALLOWED_COMMANDS = frozenset(
    {
        "import_hf",
        "import_arxiv",
        "import_jsonl",
        "search_index",
        "send_digests",
        "process_submissions",
    }
)


class NotAllowed(ValueError):
    """A job asked for a command outside ``ALLOWED_COMMANDS``."""


def check_command(name: str) -> None:
    """Raise ``NotAllowed`` with the allowed names unless ``name`` may be queued."""
    if name not in ALLOWED_COMMANDS:
        raise NotAllowed(
            f"{name!r} cannot be queued; allowed: {', '.join(sorted(ALLOWED_COMMANDS))}"
        )


@task()
def run_command(name: str, args: list[str]) -> str:
    """Run ``manage.py NAME ARGS...`` in the worker; returns the command's last output lines."""
    check_command(name)
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=out)
    return "\n".join(out.getvalue().strip().splitlines()[-20:])
