"""Reads of the personal library: what is in it, notes, pending imports, matching an
imported bibliography against the database, and everything a user's data export holds.

Every function takes the user whose data it reads; none of them is ever called with
someone else's account by a view (views pass ``request.user``), which is what keeps a
library, its notes and exports private.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from community.models import (
    AuthorshipClaim,
    Collection,
    CollectionItem,
    Comment,
    PendingSubmission,
    Vote,
)
from digests.models import Subscription
from library.models import PaperNote, PendingImport
from library.references import Reference
from papers.cards import PaperCard, cards_in_order
from papers.models import DailyEntry, Paper

LIBRARY_COLLECTION = "Library"
_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+\s*")
_NOT_WORD = re.compile(r"[\W_]+")


def library_collection(user: Any) -> Collection | None:
    """The user's private "Library" collection (imports go there), if it exists yet."""
    return Collection.objects.filter(owner=user, name=LIBRARY_COLLECTION).first()


def library_paper_ids(user: Any) -> list[int]:
    """The papers of the user's library, most recently added first: every collection of
    theirs, their upvotes and the papers whose authorship they claimed (approved)."""
    added: dict[int, Any] = {}
    sources = [
        CollectionItem.objects.filter(collection__owner=user).values_list("paper_id", "added_at"),
        Vote.objects.filter(user=user).values_list("paper_id", "created_at"),
        AuthorshipClaim.objects.filter(user=user, status=AuthorshipClaim.Status.APPROVED)
        .values_list("authorship__paper_id", "decided_at"),
    ]  # fmt: skip
    for rows in sources:
        for paper_id, at in rows:
            known = added.get(paper_id)
            if paper_id not in added or (at is not None and (known is None or at > known)):
                added[paper_id] = at
    return sorted(added, key=lambda pk: (added[pk] is not None, added[pk], pk), reverse=True)


def library_cards(user: Any) -> list[PaperCard]:
    return cards_in_order(library_paper_ids(user))


def note_of(user: Any, paper_id: int) -> PaperNote | None:
    if not user.is_authenticated:
        return None
    return PaperNote.objects.filter(user=user, paper_id=paper_id).first()


def notes_by_paper(user: Any, paper_ids: Iterable[int] | None = None) -> dict[int, PaperNote]:
    """The user's notes by paper id (all of them, or those on ``paper_ids``)."""
    notes = PaperNote.objects.filter(user=user).select_related("paper")
    if paper_ids is not None:
        notes = notes.filter(paper_id__in=list(paper_ids))
    return {note.paper_id: note for note in notes}


def pending_imports(user: Any) -> list[PendingImport]:
    return list(PendingImport.objects.filter(user=user))


def cards_of(papers: Sequence[Paper]) -> list[PaperCard]:
    return cards_in_order([p.pk for p in papers])


# --- matching an import -----------------------------------------------------------------


@dataclass
class Match:
    """How one reference was resolved: to a paper we have, to an arXiv id we lack, or to
    nothing (``reason`` says why)."""

    reference: Reference
    paper_id: int | None = None
    missing_arxiv_id: str = ""
    reason: str = ""


def normalise_title(title: str) -> str:
    """A title reduced to lower-case words: LaTeX commands, braces, accents and
    punctuation removed, so "{BERT}: Pre-training of..." equals "BERT: Pre-Training of...".
    """
    text = _LATEX_COMMAND.sub("", title)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def match_references(references: Sequence[Reference]) -> list[Match]:
    """Each reference resolved by arXiv id, then the arXiv DOI, then its exact title."""
    by_id = _papers_by_arxiv_id({r.arxiv_id for r in references if r.arxiv_id})
    titled = [r for r in references if not r.arxiv_id and r.title]
    by_title = _papers_by_title({normalise_title(r.title) for r in titled}) if titled else {}
    matches = []
    for ref in references:
        if ref.arxiv_id:
            paper_id = by_id.get(ref.arxiv_id)
            missing = "" if paper_id else ref.arxiv_id
            matches.append(Match(ref, paper_id, missing))
            continue
        paper_id = by_title.get(normalise_title(ref.title)) if ref.title else None
        reason = "" if paper_id else _unmatched_reason(ref)
        matches.append(Match(ref, paper_id, reason=reason))
    return matches


def _unmatched_reason(ref: Reference) -> str:
    if ref.doi and ref.title:
        return "Its DOI is not an arXiv DOI and no paper here has its exact title."
    if ref.doi:
        return "Its DOI is not an arXiv DOI and it has no title to match."
    return "No paper here has this exact title (and it has no arXiv id)."


def _papers_by_arxiv_id(arxiv_ids: set[str]) -> dict[str, int]:
    rows = Paper.objects.filter(arxiv_id__in=arxiv_ids).values_list("arxiv_id", "pk")
    return dict(rows)


def _papers_by_title(titles: set[str]) -> dict[str, int]:
    """Paper ids by normalised title, for the wanted titles only. Normalising happens in
    Python, so every title is read once per import (about 60k short strings: well under a
    second), which keeps exact-after-normalisation matching database-independent."""
    found: dict[str, int] = {}
    for pk, title in Paper.objects.order_by("pk").values_list("pk", "title").iterator(2000):
        key = normalise_title(title)
        if key in titles:
            found.setdefault(key, pk)
    return found


# --- a user's data export -----------------------------------------------------------------


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def user_data(user: Any) -> dict[str, Any]:
    """Everything the service stores about ``user``, as JSON-ready data. API tokens are
    listed by name and dates only: their hashes (and prefixes) are secrets' material."""
    return {
        "account": _account(user),
        "votes": _votes(user),
        "comments": _comments(user),
        "collections": _collections(user),
        "notes": [
            {"paper": n.paper.arxiv_id, "body": n.body, "updatedAt": _when(n.updated_at)}
            for n in notes_by_paper(user).values()
        ],
        "submissions": _submissions(user),
        "claims": _claims(user),
        "subscriptions": _subscriptions(user),
        "pendingImports": [
            {"arxivId": p.arxiv_id, "status": p.status, "createdAt": _when(p.created_at)}
            for p in pending_imports(user)
        ],
        "apiTokens": [
            {
                "name": t.name,
                "createdAt": _when(t.created_at),
                "lastUsedAt": _when(t.last_used_at),
                "revokedAt": _when(t.revoked_at),
            }
            for t in user.api_tokens.order_by("created_at", "id")
        ],
    }


def _account(user: Any) -> dict[str, Any]:
    return {
        "username": user.username,
        "email": user.email,
        "displayName": user.get_full_name(),
        "dateJoined": _when(user.date_joined),
        "lastLogin": _when(user.last_login),
    }


def _votes(user: Any) -> list[dict[str, Any]]:
    votes = Vote.objects.filter(user=user).select_related("paper").order_by("created_at", "id")
    return [{"paper": v.paper.arxiv_id, "createdAt": _when(v.created_at)} for v in votes]


def _comments(user: Any) -> list[dict[str, Any]]:
    comments = Comment.objects.filter(author=user).select_related("paper").order_by("id")
    return [
        {
            "id": c.pk,
            "paper": c.paper.arxiv_id,
            "parentId": c.parent_id,
            "body": c.body,
            "createdAt": _when(c.created_at),
            "editedAt": _when(c.edited_at),
            "deletedAt": _when(c.deleted_at),
            "hiddenByCurator": c.hidden,
        }
        for c in comments
    ]


def _collections(user: Any) -> list[dict[str, Any]]:
    collections = Collection.objects.filter(owner=user).order_by("id")
    items = CollectionItem.objects.filter(collection__owner=user).select_related("paper")
    by_collection: dict[int, list[dict[str, Any]]] = {}
    for item in items.order_by("position", "id"):
        by_collection.setdefault(item.collection_id, []).append(
            {"paper": item.paper.arxiv_id, "note": item.note, "addedAt": _when(item.added_at)}
        )
    return [
        {
            "name": c.name,
            "description": c.description,
            "public": c.is_public,
            "createdAt": _when(c.created_at),
            "items": by_collection.get(c.pk, []),
        }
        for c in collections
    ]


def _submissions(user: Any) -> list[dict[str, Any]]:
    entries = DailyEntry.objects.filter(submitted_by=user).select_related("paper").order_by("id")
    done = [
        {
            "paper": e.paper.arxiv_id,
            "date": e.date.isoformat(),
            "comment": e.submitter_comment,
            "submittedAt": _when(e.submitted_at),
        }
        for e in entries
    ]
    queued = PendingSubmission.objects.filter(user=user).exclude(status="done").order_by("id")
    return done + [
        {"paper": s.arxiv_id, "status": s.status, "comment": s.comment, "at": _when(s.created_at)}
        for s in queued
    ]


def _claims(user: Any) -> list[dict[str, Any]]:
    claims = AuthorshipClaim.objects.filter(user=user).select_related(
        "authorship__paper", "authorship__author"
    )
    return [
        {
            "paper": c.authorship.paper.arxiv_id,
            "author": c.authorship.author.name,
            "orcid": c.orcid,
            "status": c.status,
            "createdAt": _when(c.created_at),
        }
        for c in claims.order_by("id")
    ]


def _subscriptions(user: Any) -> list[dict[str, Any]]:
    subscriptions = Subscription.objects.filter(user=user)
    if user.email:
        subscriptions = subscriptions | Subscription.objects.filter(email=user.email.lower())
    return [
        {
            "email": s.email,
            "frequency": s.frequency,
            "size": s.size,
            "topic": s.topic,
            "confirmed": s.confirmed,
            "unsubscribedAt": _when(s.unsubscribed_at),
            "createdAt": _when(s.created_at),
        }
        for s in subscriptions.distinct().order_by("id")
    ]
