"""Background jobs of the sources app."""

from __future__ import annotations

from django_tasks import task


@task()
def fetch_arxiv_paper(arxiv_id: str) -> str:
    """Fetch one paper a visitor asked for (``sources.ondemand``); returns its status."""
    from sources.ondemand import fetch_now

    return fetch_now(arxiv_id)
