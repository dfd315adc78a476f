"""Digest sending as a django-tasks task, for deployments that schedule work through a queue."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from digests.delivery import send_digests
from digests.queries import is_due


@task()
def send_due_digests(frequency: str | None = None) -> list[str]:
    """Send the digests due now (or ``frequency`` regardless); returns one summary per run."""
    now = timezone.now()
    chosen = [frequency] if frequency else ["daily", "weekly"]
    return [
        send_digests(f, now).summary() for f in chosen if frequency is not None or is_due(f, now)
    ]
