"""Our extras under /api/: votes, comments and submissions (collections: ``api.collections``).

Writes need a personal API token (``Authorization: Bearer …``) or a logged-in browser
session with its CSRF token. Every write goes through ``community.services``; the rules
(daily submission cap, comment length, ownership) and their messages are theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from api.auth import token_or_session
from api.limits import rate_limited
from api.papers import card_or_error, paper_or_error
from api.schemas import CleanStr, Error, VoteOut
from api.serializers import comment_json, comments_json
from community import queries, services
from papers.cards import latest_entry
from papers.serializers import hf_paper

router = Router(tags=["community"])
T = TypeVar("T")

AUTH_ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 429: Error}


def community_call(action: Callable[[], T]) -> T:
    """Run a community service, turning its refusals into 400/403 JSON errors
    (:class:`~community.services.AlreadyExists` is left to the caller: HF answers 409)."""
    try:
        return action()
    except services.AlreadyExists:
        raise
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


# --- links ----------------------------------------------------------------------------


class LinksIn(Schema):
    githubRepo: str | None = Field(
        None, max_length=500, description='https://github.com/owner/repo; "" clears it'
    )
    projectPage: str | None = Field(None, max_length=500, description='http(s) URL; "" clears it')


@router.post(
    "/papers/{path:arxiv_id}/links",
    auth=token_or_session,
    response={200: dict[str, Any], **AUTH_ERRORS},
    summary="Set a paper's GitHub repository and project page",
    description="For the paper's claimed authors, its submitter and curators (as on Hugging "
    "Face). A field left out stays as it is; an empty string removes the link. Answers the "
    "paper in HF's shape. Every change is in the curation audit log.",
)
def set_links(request: HttpRequest, arxiv_id: str, data: LinksIn) -> dict[str, Any]:
    paper = paper_or_error(arxiv_id)
    community_call(
        lambda: services.set_paper_links(request.auth, paper, data.githubRepo, data.projectPage)
    )
    card = card_or_error(paper.arxiv_id)
    return hf_paper(card, latest_entry(card))


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


def optional_user(request: HttpRequest) -> Any:
    """The token's user when a valid token is sent, else the session user (maybe anonymous)."""
    from api.auth import TokenAuth

    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        TokenAuth()(request)  # raises 401 for a bad token; sets request.user
    return request.user
