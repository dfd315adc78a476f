"""Our extras under /api/: votes, comments, submissions and collections.

Writes need a personal API token (``Authorization: Bearer …``) or a logged-in browser
session with its CSRF token. Every write goes through ``community.services``; the rules
(daily submission cap, comment length, ownership) and their messages are theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from api.auth import token_or_session
from api.limits import rate_limited
from api.papers import card_or_error, paper_or_error
from api.queries import collections_of
from api.schemas import CleanStr, Error, Ok, VoteOut
from api.serializers import collection_json, comment_json, comments_json
from community import queries, services
from community.models import Collection
from papers.serializers import hf_paper

router = Router(tags=["community"])
T = TypeVar("T")

AUTH_ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 429: Error}


def community_call(action: Callable[[], T]) -> T:
    """Run a community service, turning its refusals into 400/403 JSON errors."""
    try:
        return action()
    except services.CommunityError as exc:
        raise HttpError(400, str(exc)) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "You are not allowed to do this.") from None


# --- votes ----------------------------------------------------------------------------


def _vote(request: HttpRequest, arxiv_id: str, on: bool) -> dict[str, Any]:
    paper = paper_or_error(arxiv_id)
    rate_limited(request, "vote")
    result = community_call(lambda: services.set_vote(request.auth, paper.pk, on))
    return {"id": paper.arxiv_id, "upvotes": result.upvotes, "upvoted": result.voted}


@router.post(
    "/papers/{path:arxiv_id}/upvote",
    auth=token_or_session,
    response={200: VoteOut, **AUTH_ERRORS},
    summary="Upvote a paper (idempotent)",
)
def upvote(request: HttpRequest, arxiv_id: str) -> dict[str, Any]:
    return _vote(request, arxiv_id, True)


@router.delete(
    "/papers/{path:arxiv_id}/upvote",
    auth=token_or_session,
    response={200: VoteOut, **AUTH_ERRORS},
    summary="Withdraw an upvote (idempotent)",
)
def remove_upvote(request: HttpRequest, arxiv_id: str) -> dict[str, Any]:
    return _vote(request, arxiv_id, False)


# --- comments -------------------------------------------------------------------------


class CommentIn(Schema):
    body: CleanStr = Field(description="Markdown text", min_length=1, max_length=20_000)
    parentId: int | None = Field(None, description="Reply to this comment", ge=1, le=2**62)


@router.get(
    "/papers/{path:arxiv_id}/comments",
    response={200: list[dict[str, Any]], 400: Error, 404: Error},
    summary="The discussion of a paper, oldest first, replies nested",
)
def list_comments(request: HttpRequest, arxiv_id: str) -> list[dict[str, Any]]:
    return comments_json(queries.paper_comments(paper_or_error(arxiv_id)))


@router.post(
    "/papers/{path:arxiv_id}/comments",
    auth=token_or_session,
    response={201: dict[str, Any], **AUTH_ERRORS},
    summary="Comment on a paper, or reply to a comment",
)
def create_comment(request: HttpRequest, arxiv_id: str, data: CommentIn) -> Status:
    paper = paper_or_error(arxiv_id)
    parent = queries.comment_by_id(data.parentId) if data.parentId else None
    if data.parentId and parent is None:
        raise HttpError(400, f"There is no comment {data.parentId} to reply to.")
    rate_limited(request, "comment")
    comment = community_call(lambda: services.add_comment(request.auth, paper, data.body, parent))
    return Status(201, comment_json(comment))


# --- submissions ----------------------------------------------------------------------


class SubmitIn(Schema):
    arxivId: CleanStr = Field(
        description="An arXiv id or URL", min_length=1, max_length=300, examples=["2502.04507"]
    )
    comment: CleanStr = Field("", description="Why it is worth reading", max_length=5000)


class SubmitOut(Schema):
    status: str = Field(description="'added' (on today's feed) or 'queued' (arXiv unreachable)")
    message: str
    paper: dict[str, Any] | None = None


@router.post(
    "/papers/submit",
    auth=token_or_session,
    response={201: SubmitOut, 202: SubmitOut, **AUTH_ERRORS},
    summary="Submit a paper to today's feed",
)
def submit(request: HttpRequest, data: SubmitIn) -> Status:
    rate_limited(request, "submit")
    result = community_call(lambda: services.submit_paper(request.auth, data.arxivId, data.comment))
    body: dict[str, Any] = {"status": result.status, "message": result.message, "paper": None}
    if result.entry is not None:
        paper = card_or_error(result.entry.paper.arxiv_id)
        entry = next((e for e in paper.feed_entries if e.pk == result.entry.pk), None)
        body["paper"] = hf_paper(paper, entry)
    return Status(201 if result.status == "added" else 202, body)


# --- collections ----------------------------------------------------------------------


class CollectionIn(Schema):
    name: CleanStr = Field(min_length=1, max_length=200)
    isPublic: bool = False


class CollectionPaperIn(Schema):
    arxivId: str = Field(min_length=1, max_length=300, examples=["2502.04507"])


def _own_collection(request: HttpRequest, collection_id: int) -> Collection:
    collection = queries.visible_collection(collection_id, request.auth)
    if collection is None or collection.owner_id != request.auth.pk:
        raise Http404(f"You have no collection {collection_id}.")
    return collection


@router.get(
    "/collections",
    auth=token_or_session,
    response={200: list[dict[str, Any]], 401: Error, 403: Error},
    summary="Your collections",
)
def my_collections(request: HttpRequest) -> list[dict[str, Any]]:
    return [collection_json(c) for c in collections_of(request.auth)]


@router.post(
    "/collections",
    auth=token_or_session,
    response={201: dict[str, Any], **AUTH_ERRORS},
    summary="Create a collection",
)
def new_collection(request: HttpRequest, data: CollectionIn) -> Status:
    collection = community_call(
        lambda: services.create_collection(request.auth, data.name, data.isPublic)
    )
    return Status(201, collection_json(collection))


@router.get(
    "/collections/{int:collection_id}",
    response={200: dict[str, Any], 404: Error},
    summary="A public collection (or one of yours) with its papers",
)
def collection_detail(request: HttpRequest, collection_id: int) -> dict[str, Any]:
    viewer = _optional_user(request)
    collection = queries.visible_collection(collection_id, viewer)
    if collection is None:
        raise Http404(f"There is no collection {collection_id} you can see.")
    papers = queries.collection_papers(collection)
    return collection_json(collection, papers=[hf_paper(p) for p in papers])


@router.post(
    "/collections/{int:collection_id}/papers",
    auth=token_or_session,
    response={200: dict[str, Any], **AUTH_ERRORS},
    summary="Add a paper to one of your collections",
)
def add_paper(request: HttpRequest, collection_id: int, data: CollectionPaperIn) -> dict:
    collection = _own_collection(request, collection_id)
    paper = paper_or_error(data.arxivId)
    community_call(lambda: services.add_to_collection(request.auth, paper, collection))
    return collection_json(collection)


@router.delete(
    "/collections/{int:collection_id}/papers/{path:arxiv_id}",
    auth=token_or_session,
    response={200: dict[str, Any], **AUTH_ERRORS},
    summary="Remove a paper from one of your collections",
)
def remove_paper(request: HttpRequest, collection_id: int, arxiv_id: str) -> dict[str, Any]:
    collection = _own_collection(request, collection_id)
    paper = paper_or_error(arxiv_id)
    community_call(lambda: services.remove_from_collection(request.auth, paper, collection))
    return collection_json(collection)


@router.delete(
    "/collections/{int:collection_id}",
    auth=token_or_session,
    response={200: Ok, **AUTH_ERRORS},
    summary="Delete one of your collections",
)
def remove_collection(request: HttpRequest, collection_id: int) -> dict[str, bool]:
    collection = _own_collection(request, collection_id)
    community_call(lambda: services.delete_collection(request.auth, collection))
    return {"ok": True}


def _optional_user(request: HttpRequest) -> Any:
    """The token's user when a valid token is sent, else the session user (maybe anonymous)."""
    from api.auth import TokenAuth

    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        TokenAuth()(request)  # raises 401 for a bad token; sets request.user
    return request.user
