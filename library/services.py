"""Every write of the library app: imports into the user's Library collection, the
background fetch of imported papers we lack, private notes, and deleting an account.

Collections are written only through ``community.services`` (ownership, positions and
``updated_at`` stay theirs); votes and comments are withdrawn through it too, so the
denormalised counters on papers stay exact when an account goes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from community import services as community
from community.models import Collection, Comment, Vote
from dailypapers.cache import invalidate, paper_tags
from dailypapers.text import clean_text
from digests.models import Subscription
from library import queries
from library.models import PaperNote, PendingImport
from library.references import Format, Parsed, Problem, ReferenceError, parse
from papers.models import DailyEntry, Paper, PaperAuthor

NOTE_MAX_LENGTH = 10_000
DELETED_USERNAME = "[deleted]"  # not a valid username: nobody can sign up as it


class ImportRefused(ValueError):
    """The whole import was refused (too large, empty, unreadable); ``str()`` says why."""


@dataclass
class ImportReport:
    """What an import did, entry by entry, for the page and the API."""

    added: list[str] = field(default_factory=list)  # arXiv ids added to the Library
    already: list[str] = field(default_factory=list)  # in the Library before
    queued: list[str] = field(default_factory=list)  # being fetched from arXiv
    unmatched: list[Problem] = field(default_factory=list)  # read, but no paper found
    problems: list[Problem] = field(default_factory=list)  # entries that could not be read
    collection: Collection | None = None


# --- import -----------------------------------------------------------------------------


def decode_upload(data: bytes) -> str:
    """An uploaded file as text: UTF-8 (with or without BOM), else Latin-1 (old Mendeley
    and JabRef exports); a binary file is refused."""
    if b"\x00" in data[:4096]:
        raise ImportRefused("This is a binary file, not a BibTeX or CSL-JSON export.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def check_size(size: int) -> None:
    limit = settings.LIBRARY_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportRefused(
            f"The import is {_size(size)}; the limit is {_size(limit)}. "
            "Split the export into smaller files."
        )


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def import_library(user: Any, text: str, fmt: Format = "auto", filename: str = "") -> ImportReport:
    """Read a bibliography and add the papers it names to the user's Library collection."""
    check_size(len(text.encode("utf-8", "surrogatepass")))
    try:
        parsed = parse(text, fmt, filename)
    except ReferenceError as error:
        raise ImportRefused(str(error)) from None
    _limit_entries(parsed)
    return add_references(user, parsed)


def _limit_entries(parsed: Parsed) -> None:
    limit = settings.LIBRARY_IMPORT_MAX_ENTRIES
    extra = len(parsed.references) - limit
    if extra > 0:
        parsed.references = parsed.references[:limit]
        parsed.problems.append(
            Problem(
                f"{extra} more entries",
                f"Only the first {limit} entries of an import are read; import the rest "
                "in another file.",
            )
        )


def add_references(user: Any, parsed: Parsed) -> ImportReport:
    report = ImportReport(problems=list(parsed.problems))
    matches = queries.match_references(parsed.references)
    paper_ids = [m.paper_id for m in matches if m.paper_id]
    missing_refs = [m for m in matches if m.missing_arxiv_id]
    missing = list(dict.fromkeys(m.missing_arxiv_id for m in missing_refs))
    report.unmatched = [Problem(m.reference.label, m.reason) for m in matches if m.reason]
    if not paper_ids and not missing:
        return report
    with transaction.atomic():
        report.collection = library_collection_for(user)
        _add_papers(user, report.collection, report, paper_ids)
        if settings.ARXIV_ON_DEMAND:
            report.queued = _queue_missing(user, missing)
        else:
            report.unmatched += [
                _not_here(m.reference.label, m.missing_arxiv_id) for m in missing_refs
            ]
    return report


def _not_here(label: str, arxiv_id: str) -> Problem:
    return Problem(
        label,
        f"arXiv:{arxiv_id} is not in our database, and this instance does not fetch papers "
        "from arXiv (ARXIV_ON_DEMAND is off).",
    )


def library_collection_for(user: Any) -> Collection:
    """The user's private "Library" collection, created on first use."""
    existing = queries.library_collection(user)
    if existing is not None:
        return existing
    try:
        return community.create_collection(
            user,
            queries.LIBRARY_COLLECTION,
            is_public=False,
            description="Papers imported into your library",
        )
    except community.AlreadyExists as exc:
        return exc.existing


def _add_papers(
    user: Any, collection: Collection, report: ImportReport, paper_ids: Sequence[int]
) -> None:
    ordered = list(dict.fromkeys(paper_ids))  # the import's order, each paper once
    papers = Paper.objects.in_bulk(ordered)
    for paper in (papers[pk] for pk in ordered):
        try:
            community.add_collection_item(user, collection, paper)
            report.added.append(paper.arxiv_id)
        except community.AlreadyExists:
            report.already.append(paper.arxiv_id)


def _queue_missing(user: Any, arxiv_ids: list[str]) -> list[str]:
    """Record the ids to fetch and start the background fetch once the import commits."""
    if not arxiv_ids:
        return []
    now = timezone.now()
    PendingImport.objects.bulk_create(
        [PendingImport(user=user, arxiv_id=i, created_at=now) for i in arxiv_ids],
        ignore_conflicts=True,
    )
    PendingImport.objects.filter(user=user, arxiv_id__in=arxiv_ids).update(
        status=PendingImport.Status.QUEUED, message=""
    )
    transaction.on_commit(lambda: enqueue_fetch(user.pk))
    return arxiv_ids


def enqueue_fetch(user_id: int) -> None:
    from library.tasks import fetch_pending_imports

    fetch_pending_imports.enqueue(user_id)


def retry_pending(user: Any) -> int:
    """Queue again the user's imports arXiv could not be reached for; how many."""
    count = PendingImport.objects.filter(user=user, status=PendingImport.Status.UNAVAILABLE).update(
        status=PendingImport.Status.QUEUED, message=""
    )
    if count and settings.ARXIV_ON_DEMAND:
        transaction.on_commit(lambda: enqueue_fetch(user.pk))
    return count


def clear_pending(user: Any) -> int:
    """Forget the user's pending imports that could not be fetched."""
    queued = PendingImport.Status.QUEUED
    return PendingImport.objects.filter(user=user).exclude(status=queued).delete()[0]


# --- fetching imported papers we lack ----------------------------------------------------

FETCH_BATCH = 50  # ids per arXiv API request


def fetch_pending(user_id: int) -> dict[str, int]:
    """Fetch the user's queued imports from the arXiv API, store them, add them to the
    Library; counts by outcome. Runs in a task (``library.tasks``)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    counts = {"added": 0, "not_found": 0, "unavailable": 0}
    if user is None:
        return counts
    queued = PendingImport.objects.filter(user=user, status=PendingImport.Status.QUEUED)
    ids = list(queued.values_list("arxiv_id", flat=True))
    for start in range(0, len(ids), FETCH_BATCH):
        if not _fetch_batch(user, ids[start : start + FETCH_BATCH], counts):
            break
    return counts


def _fetch_batch(user: Any, ids: list[str], counts: dict[str, int]) -> bool:
    """One arXiv request for ``ids``; False when arXiv could not be reached (the rest of
    the queue waits for a retry)."""
    from papers.importers.arxiv_fetch import ArxivClient, ArxivUnavailable, fetch_arxiv_ids
    from papers.services import upsert_papers

    pending = PendingImport.objects.filter(user=user, arxiv_id__in=ids)
    lacking = set(ids) - set(Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id"))
    if lacking:
        client = ArxivClient.from_settings(retries=1, backoff=1.0)
        try:
            upsert_papers(r for r in fetch_arxiv_ids(sorted(lacking), client) if r.arxiv_id in ids)
        except ArxivUnavailable as error:
            message = f"arXiv could not be reached ({str(error)[:200]}); retry later."
            counts["unavailable"] += pending.update(
                status=PendingImport.Status.UNAVAILABLE, message=message
            )
            return False
    found = Paper.objects.filter(arxiv_id__in=ids)
    with transaction.atomic():
        report = ImportReport(collection=library_collection_for(user))
        _add_papers(user, report.collection, report, list(found.values_list("pk", flat=True)))
        pending.filter(arxiv_id__in=[p.arxiv_id for p in found]).delete()
        counts["added"] += len(report.added)
        counts["not_found"] += pending.update(
            status=PendingImport.Status.NOT_FOUND, message="arXiv has no paper with this id."
        )
    return True


# --- notes ------------------------------------------------------------------------------


def save_note(
    user: Any, paper: Paper, body: str, now: dt.datetime | None = None
) -> PaperNote | None:
    """Write the user's private note on ``paper`` (an empty body deletes it). A paper with a
    note is saved: one not in the user's library yet goes to the Library collection."""
    body = clean_text(body or "").strip()
    if len(body) > NOTE_MAX_LENGTH:
        raise community.CommunityError(
            f"The note is {len(body)} characters long; the maximum is {NOTE_MAX_LENGTH}."
        )
    if not body:
        delete_note(user, paper)
        return None
    with transaction.atomic():
        note, _ = PaperNote.objects.update_or_create(
            user=user, paper=paper, defaults={"body": body, "updated_at": now or timezone.now()}
        )
        if paper.pk not in set(queries.library_paper_ids(user)):
            community.add_to_collection(user, paper, library_collection_for(user))
    return note


def delete_note(user: Any, paper: Paper) -> bool:
    return PaperNote.objects.filter(user=user, paper=paper).delete()[0] > 0


# --- deleting an account ------------------------------------------------------------------


def delete_account(user: Any) -> dict[str, int]:
    """Delete ``user`` and their personal data; counts of what went.

    Votes are withdrawn and visible comments deleted through the community services, so
    the papers' counters and trending stay exact. A comment is then removed outright,
    except a top-level comment that other people replied to: it stays as the "deleted"
    placeholder the discussion already shows for deleted comments, with its text erased
    and its author replaced by an inactive ``[deleted]`` account, because deleting it
    would delete those people's replies with it (replies cascade). Digest subscriptions
    of the account or its address are deleted, so no mail goes out any more; feed
    entries they submitted stay on the feed without their name or comment, and their
    authorship claims are released.
    """
    counts = {"votes": 0, "comments_deleted": 0, "comments_anonymised": 0}
    for paper_id in list(Vote.objects.filter(user=user).values_list("paper_id", flat=True)):
        counts["votes"] += community.set_vote(user, paper_id, False).changed
    for comment in Comment.objects.filter(author=user, deleted_at__isnull=True):
        community.delete_comment(user, comment)
    with transaction.atomic():
        counts.update(_erase_comments(user))
        _release_public_traces(user)
        get_user_model().objects.filter(pk=user.pk).delete()
    return counts


def _erase_comments(user: Any) -> dict[str, int]:
    mine = Comment.objects.filter(author=user)
    deleted = mine.filter(parent__isnull=False).delete()[1].get("community.Comment", 0)
    keep = mine.filter(replies__isnull=False).distinct()
    kept = Comment.objects.filter(pk__in=list(keep.values_list("pk", flat=True)))
    anonymised = kept.update(author=_deleted_account(), body="", body_html="", edited_at=None)
    deleted += mine.delete()[1].get("community.Comment", 0)
    return {"comments_deleted": deleted, "comments_anonymised": anonymised}


def _deleted_account() -> Any:
    """The inactive account that holds the placeholders of deleted accounts' comments."""
    account, created = get_user_model().objects.get_or_create(
        username=DELETED_USERNAME, defaults={"is_active": False}
    )
    if created:
        account.set_unusable_password()
        account.save(update_fields=["password"])
    return account


def _release_public_traces(user: Any) -> None:
    """What outlives the account on public pages, made anonymous; subscriptions stopped."""
    emails = [user.email.lower()] if user.email else []
    Subscription.objects.filter(user=user).delete()
    Subscription.objects.filter(email__in=emails).delete()
    entries = DailyEntry.objects.filter(submitted_by=user)
    claims = PaperAuthor.objects.filter(claimed_by=user)
    shown = {
        *entries.values_list("paper_id", flat=True),
        *claims.values_list("paper_id", flat=True),
    }
    entries.update(submitted_by=None, submitter_comment="")
    claims.update(claimed_by=None)
    invalidate(*paper_tags(sorted(shown)))
