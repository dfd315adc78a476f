"""Any arXiv paper one click away: a page (or ``POST /api/papers/index``) for an id we do
not have starts a background fetch from the arXiv API; the page polls until it is done.

With ``TASKS_BACKEND=immediate`` (the laptop default) the fetch runs inside the request,
bounded by ``ARXIV_ON_DEMAND_TIMEOUT`` and one try; with ``database`` a worker runs it and
the request returns at once. Answers are remembered in ``OnDemandFetch``: "not on arXiv"
for ``ARXIV_ON_DEMAND_RETRY_MINUTES``; "unreachable" is retried on the next visit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from community.ratelimit import hit
from papers.importers.arxiv_fetch import ArxivClient, ArxivUnavailable, fetch_arxiv_ids
from papers.models import Paper
from papers.services import upsert_papers
from sources.models import OnDemandFetch
from sources.queries import fetch_due
from sources.services import finish_fetch, start_fetch

Status = OnDemandFetch.Status


@dataclass
class Lookup:
    """Where a requested paper stands: ``paper`` when we have it, else the fetch's status."""

    arxiv_id: str
    status: str  # "indexed", or an OnDemandFetch status
    paper: Paper | None = None
    message: str = ""
    retry_after: int = 0  # seconds, when the client is over its on-demand rate limit


def lookup(arxiv_id: str) -> Lookup:
    """The current state, without starting anything."""
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is not None:
        return Lookup(arxiv_id, "indexed", paper)
    fetch = OnDemandFetch.objects.filter(arxiv_id=arxiv_id).first()
    if fetch is None:
        return Lookup(arxiv_id, Status.PENDING)
    return Lookup(arxiv_id, fetch.status, message=fetch.message)


def request_paper(arxiv_id: str, client: str) -> Lookup:
    """The paper if we have it; else start (or join) its fetch, ``client`` permitting."""
    current = lookup(arxiv_id)
    if current.paper is not None:
        return current
    fetch = OnDemandFetch.objects.filter(arxiv_id=arxiv_id).first()
    if fetch is None or fetch_due(fetch, timezone.now()):  # only new look-ups count
        wait = hit("arxiv_fetch", client)
        if wait:
            return Lookup(arxiv_id, "rate_limited", retry_after=wait)
    _, should_start = start_fetch(arxiv_id)
    if should_start:
        from sources.tasks import fetch_arxiv_paper

        fetch_arxiv_paper.enqueue(arxiv_id)
    return lookup(arxiv_id)


def fetch_now(arxiv_id: str) -> str:
    """Ask the arXiv API for ``arxiv_id`` and store it; the resulting status."""
    client = ArxivClient.from_settings(retries=0, timeout=settings.ARXIV_ON_DEMAND_TIMEOUT)
    try:
        records = [r for r in fetch_arxiv_ids([arxiv_id], client=client) if r.arxiv_id == arxiv_id]
    except ArxivUnavailable as error:
        finish_fetch(arxiv_id, Status.UNAVAILABLE, str(error))
        return Status.UNAVAILABLE
    if not records:
        finish_fetch(arxiv_id, Status.NOT_FOUND, f"arXiv has no paper with the id {arxiv_id}.")
        return Status.NOT_FOUND
    upsert_papers(records)
    finish_fetch(arxiv_id, Status.DONE)
    return Status.DONE
