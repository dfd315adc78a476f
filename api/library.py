"""The personal library under /api/: import, export, private notes and the account's data.

Every route acts on the caller's own data only (a personal API token or the browser
session); nobody's library, notes or data can be read through another account. Writes go
through ``library.services``.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from api.auth import token_or_session
from api.community import AUTH_ERRORS, community_call, optional_user
from api.limits import rate_limited
from api.papers import paper_or_error
from api.schemas import CleanStr, Error
from community import queries as community_queries
from library import queries, services
from library.references import Problem
from library.views import export_response
from papers.serializers import hf_paper

router = Router(tags=["library"])
ExportFormat = Literal["bibtex", "csl-json"]
EXPORT_KINDS = {"bibtex": "bib", "csl-json": "json"}
EXPORT_DOC = {
    "200": {
        "description": "A BibTeX file (application/x-bibtex) or CSL-JSON "
        "(application/vnd.citationstyles.csl+json)",
        "content": {
            "application/x-bibtex": {"schema": {"type": "string"}},
            "application/vnd.citationstyles.csl+json": {
                "schema": {"type": "array", "items": {"type": "object"}}
            },
        },
    }
}


class ImportIn(Schema):
    format: Literal["auto", "bibtex", "csl-json", "ids"] = Field(
        "auto", description="What `content` is; `auto` detects it"
    )
    content: CleanStr = Field(
        "", description="A BibTeX or CSL-JSON export, or arXiv ids / URLs one per line"
    )
    ids: list[CleanStr] = Field(
        default_factory=list,
        max_length=20_000,
        description="arXiv ids or URLs (instead of content)",
    )


class EntryMessage(Schema):
    entry: str = Field(description="The entry's citation key, id, or position")
    message: str


class ImportOut(Schema):
    added: list[str] = Field(description="arXiv ids added to your Library collection")
    already: list[str] = Field(description="arXiv ids that were in it already")
    queued: list[str] = Field(description="arXiv ids being fetched from arXiv in the background")
    unmatched: list[EntryMessage] = Field(description="Entries read but matched to no paper")
    problems: list[EntryMessage] = Field(description="Entries that could not be read")
    collection: str | None = Field(description="Slug of your Library collection")


def _messages(problems: list[Problem]) -> list[dict[str, str]]:
    return [{"entry": p.label, "message": p.message} for p in problems]


@router.post(
    "/library/import",
    auth=token_or_session,
    response={200: ImportOut, 400: Error, 401: Error, 403: Error, 429: Error},
    summary="Import a BibTeX / CSL-JSON export or a list of arXiv ids into your library",
    description="Entries are matched by arXiv id (eprint, arXiv URL, arXiv DOI), then by "
    "exact title. Papers we lack are fetched from arXiv in the background when the "
    "instance allows it (`queued`). A broken entry is reported in `problems` and never "
    "stops the others; an input over the size limit, or empty, is a 400.",
)
def import_library(request: HttpRequest, data: ImportIn) -> dict[str, Any]:
    rate_limited(request, "library_import")
    content, fmt = data.content, data.format
    if data.ids:
        content, fmt = "\n".join(data.ids), "ids"
    try:
        report = services.import_library(request.auth, content, fmt)
    except services.ImportRefused as refused:
        raise HttpError(400, str(refused)) from None
    return {
        "added": report.added,
        "already": report.already,
        "queued": report.queued,
        "unmatched": _messages(report.unmatched),
        "problems": _messages(report.problems),
        "collection": report.collection.slug if report.collection else None,
    }


@router.get(
    "/library",
    auth=token_or_session,
    response={200: list[dict[str, Any]], 401: Error},
    summary="Your library: papers of your collections, upvotes and claims, newest first",
    description="Each paper in Hugging Face's shape, with your private `note` (or null).",
)
def library(request: HttpRequest) -> list[dict[str, Any]]:
    cards = queries.library_cards(request.auth)
    notes = queries.notes_by_paper(request.auth, [c.pk for c in cards])
    return [
        {**hf_paper(card), "note": notes[card.pk].body if card.pk in notes else None}
        for card in cards
    ]


@router.get(
    "/library/export",
    auth=token_or_session,
    response={401: Error},
    openapi_extra={"responses": EXPORT_DOC},
    summary="Your whole library as BibTeX or CSL-JSON",
)
def library_export(request: HttpRequest, format: ExportFormat = "bibtex") -> HttpResponse:
    return export_response(queries.library_cards(request.auth), EXPORT_KINDS[format], "library")


@router.get(
    "/collections/{int:collection_id}/export",
    response={401: Error, 404: Error},
    openapi_extra={"responses": EXPORT_DOC},
    summary="A collection as BibTeX or CSL-JSON (public ones, or your own)",
)
def collection_export(
    request: HttpRequest, collection_id: int, format: ExportFormat = "bibtex"
) -> HttpResponse:
    collection = community_queries.visible_collection(collection_id, optional_user(request))
    if collection is None:
        raise Http404(f"There is no collection {collection_id} you can see.")
    cards = community_queries.collection_papers(collection)
    return export_response(cards, EXPORT_KINDS[format], collection.name)


# --- notes ------------------------------------------------------------------------------


class NoteIn(Schema):
    body: CleanStr = Field(
        min_length=1, max_length=services.NOTE_MAX_LENGTH, description="The note's text"
    )


class NoteOut(Schema):
    paper: str = Field(description="arXiv id")
    title: str
    body: str
    updatedAt: str


def _note_json(note: Any) -> dict[str, Any]:
    return {
        "paper": note.paper.arxiv_id,
        "title": note.paper.title,
        "body": note.body,
        "updatedAt": note.updated_at.isoformat(),
    }


@router.get(
    "/notes",
    auth=token_or_session,
    response={200: list[NoteOut], 401: Error},
    summary="Your private notes, most recently updated first",
)
def list_notes(request: HttpRequest) -> list[dict[str, Any]]:
    return [_note_json(n) for n in queries.notes_by_paper(request.auth).values()]


@router.get(
    "/papers/{path:arxiv_id}/note",
    auth=token_or_session,
    response={200: NoteOut, **AUTH_ERRORS},
    summary="Your private note on a paper",
)
def get_note(request: HttpRequest, arxiv_id: str) -> dict[str, Any]:
    paper = paper_or_error(arxiv_id)
    note = queries.note_of(request.auth, paper.pk)
    if note is None:
        raise Http404(f"You have no note on {paper.arxiv_id}.")
    return _note_json(note)


@router.put(
    "/papers/{path:arxiv_id}/note",
    auth=token_or_session,
    response={200: NoteOut, **AUTH_ERRORS},
    summary="Write your private note on a paper (saves the paper to your library)",
)
def put_note(request: HttpRequest, arxiv_id: str, data: NoteIn) -> dict[str, Any]:
    paper = paper_or_error(arxiv_id)
    note = community_call(lambda: services.save_note(request.auth, paper, data.body))
    if note is None:  # a body of only spaces
        raise HttpError(400, "The note is empty; DELETE it instead.")
    return _note_json(note)


@router.delete(
    "/papers/{path:arxiv_id}/note",
    auth=token_or_session,
    response={204: None, **AUTH_ERRORS},
    summary="Delete your private note on a paper",
)
def delete_note(request: HttpRequest, arxiv_id: str) -> Status:
    paper = paper_or_error(arxiv_id)
    if not services.delete_note(request.auth, paper):
        raise Http404(f"You have no note on {paper.arxiv_id}.")
    return Status(204, None)


@router.get(
    "/me/data",
    auth=token_or_session,
    response={200: dict[str, Any], 401: Error},
    summary="Everything stored about you (account, votes, comments, collections, notes, …)",
    description="API tokens are listed by name and dates only, never their secrets.",
)
def my_data(request: HttpRequest) -> dict[str, Any]:
    return queries.user_data(request.auth)
