"""``POST /api/papers/index``: make sure an arXiv paper is here, as Hugging Face's endpoint
of the same name does; the same implementation as a visit to ``/papers/<id>``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from api.auth import token_or_session
from api.schemas import Error
from papers.arxiv_ids import parse_arxiv_id
from sources import ondemand

router = Router(tags=["papers"])


class IndexIn(Schema):
    arxivId: str = Field(description="An arXiv id or URL, e.g. 2501.01234", max_length=200)


class IndexOut(Schema):
    id: str
    status: str = Field(description="indexed (here now) or pending (being fetched)")
    url: str


@router.post(
    "/papers/index",
    auth=token_or_session,
    response={
        200: IndexOut,
        202: IndexOut,
        400: Error,
        401: Error,
        404: Error,
        429: Error,
        503: Error,
    },
    summary="Fetch an arXiv paper into this instance",
)
def index_paper(request: HttpRequest, payload: IndexIn) -> tuple[int, dict[str, Any]]:
    if not settings.ARXIV_ON_DEMAND:
        raise HttpError(403, "This instance does not fetch papers from arXiv (ARXIV_ON_DEMAND).")
    parsed = parse_arxiv_id(payload.arxivId)
    if parsed is None:
        raise HttpError(400, f"'{payload.arxivId[:80]}' is not an arXiv id (like 2401.01234).")
    result = ondemand.request_paper(parsed.id, f"u{request.auth.pk}")
    url = f"/papers/{parsed.id}"
    if result.status == "rate_limited":
        raise HttpError(429, f"Too many papers fetched; try again in {result.retry_after} seconds.")
    if result.status == ondemand.Status.NOT_FOUND:
        raise HttpError(
            404, f"arXiv does not know {parsed.id} (https://arxiv.org/abs/{parsed.id})."
        )
    if result.status == ondemand.Status.UNAVAILABLE:
        raise HttpError(503, f"arXiv could not be reached; try again later. {result.message}")
    if result.paper is not None:
        return 200, {"id": parsed.id, "status": "indexed", "url": url}
    return 202, {"id": parsed.id, "status": "pending", "url": url}
