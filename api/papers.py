"""``GET /api/papers/{arxiv_id}``: one paper in Hugging Face's shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError

from api.caching import conditional_json
from api.feed import InvalidQuery, NotFound, find_card, find_paper
from api.queries import latest_activity
from api.schemas import Error, HfPaper
from papers.cards import PaperCard, latest_entry
from papers.models import Paper
from papers.serializers import hf_paper

router = Router(tags=["papers"])
T = TypeVar("T")


def _or_error(find: Callable[[str], T], arxiv_id: str) -> T:
    """400 when ``arxiv_id`` is not an arXiv id, 404 when we lack the paper."""
    try:
        return find(arxiv_id)
    except InvalidQuery as exc:
        raise HttpError(400, str(exc)) from None
    except NotFound as exc:
        raise Http404(str(exc)) from None


def paper_or_error(arxiv_id: str) -> Paper:
    return _or_error(find_paper, arxiv_id)


def card_or_error(arxiv_id: str) -> PaperCard:
    return _or_error(find_card, arxiv_id)


@router.get(
    "/papers/{path:arxiv_id}",
    response={200: HfPaper, 304: None, 400: Error, 404: Error},
    summary="One paper (Hugging Face compatible)",
    description="Accepts new (`2502.04507`) and old (`hep-th/9901001`) ids, with or without "
    "a version. Carries `ETag`/`Last-Modified` like the feed.",
)
def paper_detail(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = card_or_error(arxiv_id)
    stamps = [paper.updated_at, latest_activity([paper.pk])]
    last_modified = max(s for s in stamps if s is not None)
    return conditional_json(request, hf_paper(paper, latest_entry(paper)), last_modified)
