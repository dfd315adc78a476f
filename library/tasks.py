"""Background jobs of the library app."""

from __future__ import annotations

from django_tasks import task


@task()
def fetch_pending_imports(user_id: int) -> dict[str, int]:
    """Fetch from arXiv the papers of a user's import that we lack (``library.services``)."""
    from library.services import fetch_pending

    return fetch_pending(user_id)
