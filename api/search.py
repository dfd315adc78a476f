"""``GET /api/papers/search``: Hugging Face's paper search, answered by ``search.service``.

Items have the shape of Hugging Face's ``/api/daily_papers`` items (a nested ``paper``
object plus title, summary, thumbnail, ...), best match first.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.errors import HttpError

from api.caching import json_response
from api.limits import rate_limited
from api.schemas import DailyItem, Error
from papers.cards import PaperCard, cards_in_order
from papers.queries import recent_paper_ids
from papers.serializers import (
    hf_daily_item,
    hf_item_fields,
    hf_organization,
    hf_paper,
    iso,
    new_york_wall_clock,
)
from search.service import MODES, SearchQuery, page_cards, search_ranked

router = Router(tags=["search"])

MAX_Q = 250
MAX_LIMIT = 120
DESCRIPTION = f"""
Papers matching `q`, best first, in the shape of Hugging Face's `/api/papers/search`.

Without `q` (or with a blank one), the most recently published papers, newest first, as
Hugging Face answers `list_papers()` without a query.

`q` (1-{MAX_Q} characters) may be words, a "quoted phrase", an author name, a question or an
arXiv id; syntax: `"exact phrase"`, `-word`, `-"phrase"`, `a OR b`, `author:"Name"`,
`title:word`, `org:slug`. Only papers above the relevance floors are returned (an empty list
when nothing matches); a query matching nothing because of a misspelling is searched with
the corrected spelling. `limit` is 1-{MAX_LIMIT} (default 50). `mode` is `hybrid` (default:
BM25 and embeddings fused), `keyword` or `semantic`. Out-of-range values get
`400 {{"error": ...}}`;
more than `RATE_LIMIT_SEARCH_PER_MINUTE` searches a minute from one client get `429`.
"""


def _item(paper: PaperCard) -> dict[str, Any]:
    if paper.feed_entries:
        return hf_daily_item(paper.feed_entries[0], paper)
    nested = hf_paper(paper)
    item: dict[str, Any] = {
        "paper": nested,
        "publishedAt": iso(new_york_wall_clock(paper.published_at)) if paper.published_at else None,
        **hf_item_fields(paper),
    }
    if paper.organization is not None:
        item["organization"] = hf_organization(paper.organization)
    return item


def _validate(q: str | None, limit: int | None, mode: str) -> tuple[str, int]:
    q = (q or "").strip()
    if len(q) > MAX_Q:
        raise HttpError(400, f"q is {len(q)} characters long; the maximum is {MAX_Q}.")
    limit = 50 if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(400, f"limit must be between 1 and {MAX_LIMIT}; it was {limit}.")
    if mode not in MODES:
        raise HttpError(400, f"mode must be one of {', '.join(MODES)}.")
    return q, limit


@router.get(
    "/papers/search",
    response={200: list[DailyItem], 400: Error, 429: Error},
    summary="Search papers (Hugging Face compatible)",
    description=DESCRIPTION,
)
def papers_search(
    request: HttpRequest,
    q: str | None = Query(None, description=f"Query, up to {MAX_Q} characters"),
    limit: int | None = Query(None, description=f"Results, 1-{MAX_LIMIT} (default 50)"),
    mode: str = Query("hybrid", description="hybrid, keyword or semantic"),
) -> HttpResponse:
    rate_limited(request, "search", by="ip")
    q, limit = _validate(q, limit, mode)
    if not q:
        return json_response([_item(card) for card in cards_in_order(recent_paper_ids(limit))])
    query = SearchQuery(q=q, mode=mode, limit=limit, highlight=False)  # type: ignore[arg-type]
    results = search_ranked(query)
    # Returned as-is (not through the schema) so absent keys stay absent, as on HF.
    return json_response([_item(card) for card in page_cards(results)])
