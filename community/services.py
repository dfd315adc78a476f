"""Every community write: votes, comments, submissions, curation, claims, collections, accounts.

Views, admin actions and commands call these functions; none of them writes the ORM
directly. User mistakes raise ``CommunityError`` with a message meant for the user;
missing rights raise ``PermissionDenied``. Denormalized counters on ``Paper`` move with
``F()`` in the same transaction as the row that justifies them, so they stay exact when
requests race.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from community.models import (
    AuditLog,
    AuthorshipClaim,
    Collection,
    CollectionItem,
    Comment,
    PendingSubmission,
    VerifiedEmail,
    Vote,
)
from community.orcid import OrcidError, normalize_orcid
from community.permissions import is_curator
from community.rendering import render_markdown
from dailypapers.cache import TRENDING, invalidate, paper_tags
from dailypapers.text import clean_text
from papers.arxiv_ids import parse_arxiv_id
from papers.models import DailyEntry, Paper, PaperAuthor
from papers.periods import PeriodError, check_date, latest_entry_date
from papers.signals import papers_changed

logger = logging.getLogger(__name__)

DEFAULT_COLLECTION = "Reading list"
SUBMIT_COMMENT_MAX_LENGTH = 1000
COLLECTION_NAME_MAX_LENGTH = 100


class CommunityError(Exception):
    """A request the rules refuse; ``str(error)`` is a message to show the user."""


class AlreadyExists(CommunityError):
    """The thing to create is already there (HF answers 409); ``existing`` is it."""

    def __init__(self, message: str, existing: Any) -> None:
        super().__init__(message)
        self.existing = existing


# --- audit log ------------------------------------------------------------------------


def audit(actor: Any, action: str, target: models.Model, **details: Any) -> AuditLog:
    """Record that ``actor`` did ``action`` to ``target`` (written by every curator service)."""
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.model_name or "",
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        details=details,
        created_at=timezone.now(),
    )


def _require_curator(user: Any) -> None:
    if not is_curator(user):
        raise PermissionDenied("Only curators can do this.")


def _papers_changed(paper_ids: Iterable[int]) -> None:
    ids = sorted(set(paper_ids))
    transaction.on_commit(lambda: papers_changed.send(sender=Paper, paper_ids=ids))


# --- votes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteResult:
    voted: bool
    upvotes: int
    changed: bool


def set_vote(user: Any, paper_id: int, on: bool, now: dt.datetime | None = None) -> VoteResult:
    """Make ``user``'s vote on the paper be ``on``; idempotent, exact under concurrency.

    The unique (user, paper) constraint decides races: a second insert fails and changes
    nothing, and the counter moves only when a row was really inserted or deleted.
    What a vote invalidates is read before the transaction: on SQLite the transaction holds
    the database's only write lock, which every other vote waits for.
    """
    tags = [*paper_tags([paper_id]), TRENDING]
    with transaction.atomic():
        if on:
            changed = _insert_vote(user, paper_id, now or timezone.now())
        else:
            changed = Vote.objects.filter(user=user, paper_id=paper_id).delete()[0] > 0
        if changed:
            step = 1 if on else -1
            Paper.objects.filter(pk=paper_id).update(upvotes=F("upvotes") + step)
            invalidate(*tags)
        upvotes = Paper.objects.values_list("upvotes", flat=True).get(pk=paper_id)
    return VoteResult(voted=on, upvotes=upvotes, changed=changed)


def _insert_vote(user: Any, paper_id: int, now: dt.datetime) -> bool:
    try:
        with transaction.atomic():  # a savepoint, so the outer transaction survives
            Vote.objects.create(user=user, paper_id=paper_id, created_at=now)
    except IntegrityError:
        return False
    return True


def toggle_vote(user: Any, paper_id: int, now: dt.datetime | None = None) -> VoteResult:
    """Flip ``user``'s vote on the paper."""
    has_voted = Vote.objects.filter(user=user, paper_id=paper_id).exists()
    return set_vote(user, paper_id, not has_voted, now)


# --- comments -------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = clean_text(body or "").strip()
    if not body:
        raise CommunityError("Your comment is empty.")
    limit = settings.COMMENT_MAX_LENGTH
    if len(body) > limit:
        raise CommunityError(f"Comments are limited to {limit} characters; yours has {len(body)}.")
    return body


def add_comment(
    user: Any,
    paper: Paper,
    body: str,
    parent: Comment | None = None,
    now: dt.datetime | None = None,
) -> Comment:
    """Post a comment (or a reply: replies to replies attach to the top-level comment)."""
    body = _clean_body(body)
    if parent is not None:
        if parent.paper_id != paper.pk:
            raise CommunityError("You can only reply to a comment on the same paper.")
        if parent.parent_id is not None:
            parent = parent.parent
        if parent is None or not parent.is_visible:
            raise CommunityError("That comment was removed; you can't reply to it.")
    with transaction.atomic():
        comment = Comment.objects.create(
            paper=paper,
            author=user,
            parent=parent,
            body=body,
            body_html=render_markdown(body),
            created_at=now or timezone.now(),
        )
        Paper.objects.filter(pk=paper.pk).update(num_comments=F("num_comments") + 1)
        _discussion_changed(paper.pk)
    return comment


def edit_comment(user: Any, comment: Comment, body: str, now: dt.datetime | None = None) -> None:
    """Replace the text of one's own visible comment."""
    if comment.author_id != user.pk:
        raise PermissionDenied("You can only edit your own comments.")
    if not comment.is_visible:
        raise CommunityError("This comment was removed and can't be edited.")
    body = _clean_body(body)
    comment.body, comment.body_html = body, render_markdown(body)
    comment.edited_at = now or timezone.now()
    with transaction.atomic():
        comment.save(update_fields=["body", "body_html", "edited_at"])
        _discussion_changed(comment.paper_id)


def delete_comment(user: Any, comment: Comment, now: dt.datetime | None = None) -> None:
    """Soft-delete one's own comment (the text is kept for moderation, shown as deleted)."""
    if comment.author_id != user.pk:
        raise PermissionDenied("You can only delete your own comments.")
    with transaction.atomic():
        changed = Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(
            deleted_at=now or timezone.now()
        )
        if changed and not _is_hidden(comment.pk):
            _move_comment_count(comment.paper_id, -1)
        _discussion_changed(comment.paper_id)
    comment.refresh_from_db()


def set_comment_hidden(curator: Any, comment: Comment, hidden: bool) -> None:
    """Hide (or show again) any comment; curators only, recorded in the audit log."""
    _require_curator(curator)
    with transaction.atomic():
        changed = Comment.objects.filter(pk=comment.pk, hidden=not hidden).update(hidden=hidden)
        comment.refresh_from_db()
        if changed and comment.deleted_at is None:
            _move_comment_count(comment.paper_id, -1 if hidden else 1)
        if changed:
            audit(curator, "hide_comment" if hidden else "unhide_comment", comment)
            _discussion_changed(comment.paper_id)


def _is_hidden(comment_id: int) -> bool:
    return Comment.objects.filter(pk=comment_id, hidden=True).exists()


def _discussion_changed(paper_id: int) -> None:
    """Cached pages showing the paper's comments or comment count are out of date (comments
    count toward trending)."""
    invalidate(*paper_tags([paper_id]), TRENDING)


def _move_comment_count(paper_id: int, step: int) -> None:
    Paper.objects.filter(pk=paper_id).update(num_comments=F("num_comments") + step)


# --- submissions ----------------------------------------------------------------------

Fetch = Callable[[list[str]], list[Any]]


@dataclass
class SubmitResult:
    status: Literal["added", "queued"]
    message: str
    entry: DailyEntry | None = None
    pending: PendingSubmission | None = None


def _arxiv_fetcher(interactive: bool = False) -> tuple[Fetch, type[Exception]]:
    """The importers' network boundary (imported late: tests patch it, startup stays light).

    A submission made in a web request tries arXiv once with a short timeout (the queue
    retries later); the background command uses the importers' default retries.
    """
    from papers.importers import arxiv_fetch

    def fetch(ids: list[str]) -> list[Any]:
        client = None
        if interactive:
            client = arxiv_fetch.ArxivClient.from_settings(retries=0, timeout=10.0)
        return arxiv_fetch.fetch_arxiv_ids(ids, client=client)

    return fetch, arxiv_fetch.ArxivUnavailable


def submit_paper(
    user: Any, text: str, comment: str = "", now: dt.datetime | None = None
) -> SubmitResult:
    """Put a paper on today's feed for ``user``, fetching it from arXiv when unknown.

    When arXiv cannot be reached the submission is queued (``PendingSubmission``) and
    ``process_pending_submissions`` finishes it later, so nothing is lost.
    """
    now = now or timezone.now()
    text = clean_text(text or "")
    parsed = parse_arxiv_id(text)
    if parsed is None:
        shown = text.strip()[:80]
        raise CommunityError(
            f"'{shown}' is not an arXiv id or URL (try 2401.01234 or "
            "https://arxiv.org/abs/2401.01234)."
        )
    comment = _clean_submit_comment(comment)
    _check_daily_cap(user, now)  # early, so a user over the cap costs no arXiv request
    paper = Paper.objects.filter(arxiv_id=parsed.id).first()
    unreachable = ""
    if paper is None:
        fetch, unavailable = _arxiv_fetcher(interactive=True)
        try:
            paper = _fetch_paper(fetch, parsed.id)
        except unavailable as error:
            unreachable = str(error)
    with transaction.atomic():
        # Check and insert under the user's lock, so parallel requests cannot all pass the cap.
        _lock_submitter(user)
        _check_daily_cap(user, now)
        if paper is None:
            return _queue_submission(user, parsed.id, comment, now, unreachable)
        entry = _add_entry(user, paper, comment, submitted_at=now, today=timezone.localdate(now))
    return SubmitResult("added", f"{paper.arxiv_id} is on today's feed. Thanks!", entry=entry)


def _lock_submitter(user: Any) -> None:
    """Serialize one user's submissions until the end of the current transaction.

    PostgreSQL: a row lock on the user (SELECT ... FOR UPDATE). SQLite ignores FOR UPDATE,
    but its transactions begin IMMEDIATE here (settings: ``transaction_mode``), so the
    transaction already holds the database's write lock and writers run one at a time.
    """
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()


def _clean_submit_comment(comment: str) -> str:
    comment = clean_text(comment or "").strip()
    if len(comment) > SUBMIT_COMMENT_MAX_LENGTH:
        raise CommunityError(
            f"The comment is limited to {SUBMIT_COMMENT_MAX_LENGTH} characters; "
            f"yours has {len(comment)}."
        )
    return comment


def _start_of_day(now: dt.datetime) -> dt.datetime:
    today = timezone.localdate(now)
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min))


def _check_daily_cap(user: Any, now: dt.datetime) -> None:
    since = _start_of_day(now)
    added = DailyEntry.objects.filter(submitted_by=user, submitted_at__gte=since).count()
    queued = PendingSubmission.objects.filter(
        user=user, created_at__gte=since, status=PendingSubmission.Status.PENDING
    ).count()
    cap = settings.SUBMIT_DAILY_CAP
    if added + queued >= cap:
        raise CommunityError(f"You can submit {cap} papers a day; please come back tomorrow.")


def _fetch_paper(fetch: Fetch, arxiv_id: str) -> Paper:
    from papers.services import upsert_papers

    records = [r for r in fetch([arxiv_id]) if r.arxiv_id == arxiv_id]
    if not records:
        raise CommunityError(f"arXiv has no paper with the id {arxiv_id}.")
    upsert_papers(records)
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise CommunityError(f"arXiv's record for {arxiv_id} could not be read; try later.")
    return paper


def _queue_submission(
    user: Any, arxiv_id: str, comment: str, now: dt.datetime, error: str
) -> SubmitResult:
    logger.warning("submission of %s by user %s queued: %s", arxiv_id, user.pk, error)
    pending = PendingSubmission.objects.create(
        user=user,
        arxiv_id=arxiv_id,
        comment=comment,
        created_at=now,
        next_attempt_at=now + _retry_delay(0),
        last_error=error[:1000],
    )
    message = (
        f"arXiv could not be reached, so {arxiv_id} is queued: it will be added to the feed "
        "automatically once arXiv answers. You can see it on your profile."
    )
    return SubmitResult("queued", message, pending=pending)


def _retry_delay(attempts: int) -> dt.timedelta:
    # 5 min, 10, 20, ... capped at 6 hours between tries.
    return dt.timedelta(minutes=min(5 * 2**attempts, 360))


def _add_entry(
    user: Any, paper: Paper, comment: str, submitted_at: dt.datetime, today: dt.date
) -> DailyEntry:
    """The feed entry for a submission after checking the age and duplicate rules."""
    max_age = settings.SUBMIT_MAX_AGE_DAYS
    if paper.published_at and paper.published_at < submitted_at - dt.timedelta(days=max_age):
        raise CommunityError(
            f"{paper.arxiv_id} was published on {paper.published_at:%Y-%m-%d}; only papers "
            f"from the last {max_age} days can be submitted."
        )
    if DailyEntry.objects.filter(paper=paper, date=today).exists():
        raise CommunityError(f"{paper.arxiv_id} is already on today's feed.")
    try:
        with transaction.atomic():
            entry = DailyEntry.objects.create(
                paper=paper,
                date=today,
                submitted_by=user,
                submitted_at=submitted_at,
                submitter_comment=comment,
            )
    except IntegrityError:  # a concurrent submission of the same paper won
        raise CommunityError(f"{paper.arxiv_id} is already on today's feed.") from None
    _papers_changed([paper.pk])
    return entry


@dataclass
class ProcessStats:
    added: int = 0
    failed: int = 0
    retry_later: int = 0


def process_pending_submissions(now: dt.datetime | None = None, limit: int = 100) -> ProcessStats:
    """Retry queued submissions that are due: fetch their papers in one arXiv call, then add.

    Rules are checked again (duplicates, age measured at the time of submission); a
    submission that can never succeed is marked failed with the reason.
    """
    now = now or timezone.now()
    stats = ProcessStats()
    due = list(
        PendingSubmission.objects.filter(
            status=PendingSubmission.Status.PENDING, next_attempt_at__lte=now
        ).select_related("user")[:limit]
    )
    unknown = sorted({s.arxiv_id for s in due} - _known_ids({s.arxiv_id for s in due}))
    if unknown:
        fetch, unavailable = _arxiv_fetcher()
        try:
            _save_fetched(fetch(unknown))
        except unavailable as error:
            for submission in due:
                if submission.arxiv_id in unknown:
                    _postpone(submission, now, str(error), stats)
            due = [s for s in due if s.arxiv_id not in unknown]
    for submission in due:
        _finish(submission, now, stats)
    return stats


def _known_ids(arxiv_ids: set[str]) -> set[str]:
    return set(Paper.objects.filter(arxiv_id__in=arxiv_ids).values_list("arxiv_id", flat=True))


def _save_fetched(records: list[Any]) -> None:
    from papers.services import upsert_papers

    if records:
        upsert_papers(records)


def _postpone(submission: PendingSubmission, now: dt.datetime, error: str, stats: ProcessStats):
    submission.attempts += 1
    submission.last_error = error[:1000]
    logger.warning(
        "queued submission %s (%s), try %s: %s",
        submission.pk,
        submission.arxiv_id,
        submission.attempts,
        error,
    )
    if submission.attempts >= settings.SUBMIT_RETRY_MAX_ATTEMPTS:
        submission.status = PendingSubmission.Status.FAILED
        submission.last_error = f"arXiv stayed unreachable after {submission.attempts} tries."
        stats.failed += 1
    else:
        submission.next_attempt_at = now + _retry_delay(submission.attempts)
        stats.retry_later += 1
    submission.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


def _finish(submission: PendingSubmission, now: dt.datetime, stats: ProcessStats) -> None:
    submission.attempts += 1
    paper = Paper.objects.filter(arxiv_id=submission.arxiv_id).first()
    try:
        if paper is None:
            raise CommunityError(f"arXiv has no paper with the id {submission.arxiv_id}.")
        submission.entry = _add_entry(
            submission.user,
            paper,
            submission.comment,
            submitted_at=submission.created_at,
            today=timezone.localdate(now),
        )
        submission.status = PendingSubmission.Status.DONE
        submission.last_error = ""
        stats.added += 1
    except CommunityError as error:
        submission.status = PendingSubmission.Status.FAILED
        submission.last_error = str(error)
        stats.failed += 1
    submission.save(update_fields=["attempts", "last_error", "status", "entry"])


# --- paper links ----------------------------------------------------------------------

GITHUB_REPO = re.compile(
    r"^https://github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/([\w.-]{1,100})$"
)
LINK_MAX_LENGTH = 500


def clean_link(url: str, what: str) -> str:
    """An http(s) URL with a host, stripped; "" clears the link."""
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > LINK_MAX_LENGTH:
        raise CommunityError(f"The {what} URL is longer than {LINK_MAX_LENGTH} characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise CommunityError(f"The {what} must be an http:// or https:// URL, not '{url[:80]}'.")
    return url


def clean_github_repo(url: str) -> str:
    """``https://github.com/owner/repo`` (a trailing slash or ``.git`` is dropped); ""
    clears it. Anything else (a user page, a file, another host) is refused."""
    url = clean_link(url, "GitHub repository")
    if not url:
        return ""
    url = url.removesuffix("/").removesuffix(".git")
    if url.startswith("http://github.com/"):
        url = "https://" + url.removeprefix("http://")
    match = GITHUB_REPO.match(url)
    if match is None or match[2] in (".", ".."):
        raise CommunityError(
            f"'{url[:80]}' is not a GitHub repository URL like https://github.com/owner/repo."
        )
    return url


def set_paper_links(
    user: Any, paper: Paper, github_repo: str | None = None, project_page: str | None = None
) -> dict[str, str]:
    """Set (or clear with "") the paper's GitHub repository and project page; None leaves a
    link as it is. Claimed authors of the paper, its submitters and curators may; audited
    with the old and new values. Returns what changed, as {field: new value}."""
    from community.queries import may_edit_links

    if not may_edit_links(user, paper):
        raise PermissionDenied(
            "Only the paper's claimed authors, its submitter or a curator can edit its links."
        )
    wanted = {
        "github_repo": None if github_repo is None else clean_github_repo(github_repo),
        "project_page": None if project_page is None else clean_link(project_page, "project page"),
    }
    changed = {f: v for f, v in wanted.items() if v is not None and v != getattr(paper, f)}
    if not changed:
        return {}
    old = {f: getattr(paper, f) for f in changed}
    with transaction.atomic():
        for field_name, value in changed.items():
            setattr(paper, field_name, value)
        if "github_repo" in changed:
            paper.github_stars = None  # the stars were the old repository's
            paper.extra = {**(paper.extra or {}), "githubRepoAddedBy": "user"}
        paper.save(update_fields=[*changed, "github_stars", "extra", "updated_at"])
        audit(user, "edit_links", paper, old=old, new=changed)
    invalidate(*paper_tags([paper.pk]))
    _papers_changed([paper.pk])
    return changed


# --- curation -------------------------------------------------------------------------


def set_entry_featured(curator: Any, entry: DailyEntry, featured: bool) -> None:
    """Feature (pin to the top of its day) or unfeature a feed entry."""
    _require_curator(curator)
    with transaction.atomic():
        DailyEntry.objects.filter(pk=entry.pk).update(featured=featured)
        audit(curator, "feature" if featured else "unfeature", entry, date=str(entry.date))
    entry.featured = featured
    _papers_changed([entry.paper_id])


def feature_paper(curator: Any, paper: Paper, date: dt.date) -> DailyEntry:
    """Put ``paper`` on the feed of ``date`` and feature it (curators, one click from the
    "New on arXiv" list); an existing entry of that day is featured instead."""
    _require_curator(curator)
    with transaction.atomic():
        entry, created = DailyEntry.objects.get_or_create(
            paper=paper,
            date=date,
            defaults={"submitted_by": curator, "submitted_at": timezone.now()},
        )
        DailyEntry.objects.filter(pk=entry.pk).update(featured=True)
        entry.featured = True
        audit(curator, "feature", entry, date=str(date), added=created)
    _papers_changed([paper.pk])
    return entry


def set_entry_hidden(curator: Any, entry: DailyEntry, hidden: bool) -> None:
    """Hide a feed entry (spam) or show it again."""
    _require_curator(curator)
    with transaction.atomic():
        DailyEntry.objects.filter(pk=entry.pk).update(hidden=hidden)
        audit(curator, "hide_entry" if hidden else "unhide_entry", entry, date=str(entry.date))
    entry.hidden = hidden
    _papers_changed([entry.paper_id])


def move_entry(curator: Any, entry: DailyEntry, date: dt.date) -> None:
    """Move a feed entry to the feed of another day."""
    _require_curator(curator)
    try:
        check_date(date, latest_entry_date(), "The new date")
    except PeriodError as error:
        raise CommunityError(f"{error}.") from None
    if date == entry.date:
        return
    old = entry.date
    try:
        with transaction.atomic():
            DailyEntry.objects.filter(pk=entry.pk).update(date=date)
            entry.date = date
            audit(curator, "move_entry", entry, moved_from=str(old), moved_to=str(date))
    except IntegrityError:
        entry.date = old
        raise CommunityError(
            f"{entry.paper.arxiv_id} is already on the feed of {date}; hide one entry instead."
        ) from None
    _papers_changed([entry.paper_id])


def ban_user(curator: Any, user: Any) -> dict[str, int]:
    """Deactivate ``user`` and hide their comments and submissions; returns what was hidden."""
    _require_curator(curator)
    if user.pk == curator.pk:
        raise CommunityError("You can't ban yourself.")
    if (user.is_staff or user.is_superuser) and not curator.is_superuser:
        raise PermissionDenied("Only a superuser can ban staff members.")
    with transaction.atomic():
        type(user).objects.filter(pk=user.pk).update(is_active=False)
        visible = Comment.objects.filter(author=user, hidden=False, deleted_at__isnull=True)
        per_paper = Counter(visible.values_list("paper_id", flat=True))
        Comment.objects.filter(author=user, hidden=False).update(hidden=True)
        for paper_id, count in per_paper.items():
            _move_comment_count(paper_id, -count)
        entries = DailyEntry.objects.filter(submitted_by=user, hidden=False)
        paper_ids = list(entries.values_list("paper_id", flat=True))
        hidden_entries = entries.update(hidden=True)
        details = {"comments_hidden": sum(per_paper.values()), "entries_hidden": hidden_entries}
        audit(curator, "ban_user", user, **details)
    user.is_active = False
    _papers_changed(paper_ids)
    return details


def unban_user(curator: Any, user: Any) -> None:
    """Let a banned user log in again (their hidden content stays hidden until reviewed)."""
    _require_curator(curator)
    with transaction.atomic():
        type(user).objects.filter(pk=user.pk).update(is_active=True)
        audit(curator, "unban_user", user)
    user.is_active = True


# --- authorship claims ----------------------------------------------------------------


def claim_authorship(
    user: Any, authorship: PaperAuthor, orcid: str = "", now: dt.datetime | None = None
) -> AuthorshipClaim:
    """Ask curators to confirm that ``user`` is the author in this slot of the paper."""
    if authorship.claimed_by_id is not None:
        raise CommunityError(f"{authorship.author.name} on this paper is already claimed.")
    open_claims = AuthorshipClaim.objects.filter(
        user=user,
        authorship__paper_id=authorship.paper_id,
        status__in=[AuthorshipClaim.Status.PENDING, AuthorshipClaim.Status.APPROVED],
    )
    if open_claims.exists():
        raise CommunityError("You already have a claim on this paper.")
    try:
        orcid = normalize_orcid(orcid) if orcid and orcid.strip() else ""
    except OrcidError as error:
        raise CommunityError(str(error)) from None
    try:
        with transaction.atomic():
            return AuthorshipClaim.objects.create(
                user=user, authorship=authorship, orcid=orcid, created_at=now or timezone.now()
            )
    except IntegrityError:
        raise CommunityError("You already have a claim on this paper.") from None


def decide_claim(
    curator: Any, claim: AuthorshipClaim, approve: bool, now: dt.datetime | None = None
) -> None:
    """Approve (the slot becomes the user's) or reject a pending claim; audited."""
    _require_curator(curator)
    if claim.user_id == curator.pk and not curator.is_superuser:
        raise PermissionDenied("Another curator has to decide on your own claim.")
    if claim.status != AuthorshipClaim.Status.PENDING:
        raise CommunityError(f"This claim was already {claim.status}.")
    with transaction.atomic():
        if approve:
            _approve(claim)
        claim.status = (
            AuthorshipClaim.Status.APPROVED if approve else AuthorshipClaim.Status.REJECTED
        )
        claim.decided_by, claim.decided_at = curator, now or timezone.now()
        claim.save(update_fields=["status", "decided_by", "decided_at"])
        audit(curator, "approve_claim" if approve else "reject_claim", claim, orcid=claim.orcid)
    _papers_changed([claim.authorship.paper_id])


def _approve(claim: AuthorshipClaim) -> None:
    taken = PaperAuthor.objects.filter(pk=claim.authorship_id, claimed_by__isnull=True).update(
        claimed_by=claim.user
    )
    if not taken:
        raise CommunityError("This author slot was already claimed by someone else.")
    # Competing claims on the same slot can no longer succeed.
    AuthorshipClaim.objects.filter(
        authorship_id=claim.authorship_id, status=AuthorshipClaim.Status.PENDING
    ).exclude(pk=claim.pk).update(status=AuthorshipClaim.Status.REJECTED)


# --- collections ----------------------------------------------------------------------


def _clean_collection_name(name: str) -> str:
    name = " ".join(clean_text(name or "").split())
    if not name:
        raise CommunityError("Give the collection a name.")
    if len(name) > COLLECTION_NAME_MAX_LENGTH:
        raise CommunityError(
            f"Collection names are limited to {COLLECTION_NAME_MAX_LENGTH} characters."
        )
    return name


def default_collection(user: Any) -> Collection:
    """The user's "Reading list", created (private) on first use."""
    return Collection.objects.get_or_create(owner=user, name=DEFAULT_COLLECTION)[0]


COLLECTION_DESCRIPTION_MAX_LENGTH = 150
COLLECTION_NOTE_MAX_LENGTH = 500


def _limited(text: str, limit: int, what: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise CommunityError(f"{what} is {len(text)} characters long; the maximum is {limit}.")
    return text


def create_collection(
    user: Any, name: str, is_public: bool = False, description: str = ""
) -> Collection:
    """A new collection of ``user``; :class:`AlreadyExists` (with it) if the name is taken."""
    name = _clean_collection_name(name)
    description = _limited(description, COLLECTION_DESCRIPTION_MAX_LENGTH, "The description")
    try:
        with transaction.atomic():
            return Collection.objects.create(
                owner=user, name=name, is_public=is_public, description=description
            )
    except IntegrityError:
        existing = Collection.objects.get(owner=user, name=name)
        raise AlreadyExists(f"You already have a collection named '{name}'.", existing) from None


def _require_owner(user: Any, collection: Collection) -> None:
    if collection.owner_id != user.pk:
        raise PermissionDenied("This collection is not yours.")


def _touch(collection: Collection) -> None:
    # updated_at is HF's lastUpdated: any change of the items counts.
    collection.save(update_fields=["updated_at"])


def add_collection_item(
    user: Any, collection: Collection, paper: Paper, note: str = ""
) -> CollectionItem:
    """Append ``paper`` to ``collection``; :class:`AlreadyExists` if it is in it already."""
    _require_owner(user, collection)
    note = _limited(note, COLLECTION_NOTE_MAX_LENGTH, "The note")
    with transaction.atomic():
        existing = CollectionItem.objects.filter(collection=collection, paper=paper).first()
        if existing is not None:
            raise AlreadyExists(f"{paper.arxiv_id} is already in this collection.", existing)
        last = collection.items.aggregate(last=models.Max("position"))["last"]
        item = CollectionItem.objects.create(
            collection=collection, paper=paper, note=note, position=0 if last is None else last + 1
        )
        _touch(collection)
    return item


def add_to_collection(user: Any, paper: Paper, collection: Collection | None = None) -> Collection:
    """Save ``paper`` in ``collection`` (default: the Reading list); saving twice is a no-op."""
    collection = collection or default_collection(user)
    with contextlib.suppress(AlreadyExists):
        add_collection_item(user, collection, paper)
    return collection


def remove_from_collection(user: Any, paper: Paper, collection: Collection) -> None:
    _require_owner(user, collection)
    CollectionItem.objects.filter(collection=collection, paper=paper).delete()
    _touch(collection)


def update_collection_item(
    user: Any, item: CollectionItem, note: str | None = None, position: int | None = None
) -> None:
    """Change an item's note, or move it to ``position`` (the others shift to make room)."""
    collection = item.collection
    _require_owner(user, collection)
    with transaction.atomic():
        if note is not None:
            item.note = _limited(note, COLLECTION_NOTE_MAX_LENGTH, "The note")
            item.save(update_fields=["note"])
        if position is not None:
            others = [i for i in collection.items.order_by("position", "id") if i.pk != item.pk]
            others.insert(max(0, min(position, len(others))), item)
            for index, each in enumerate(others):
                each.position = index
            CollectionItem.objects.bulk_update(others, ["position"])
        _touch(collection)


def delete_collection_item(user: Any, item: CollectionItem) -> None:
    _require_owner(user, item.collection)
    item.delete()
    _touch(item.collection)


def update_collection(
    user: Any,
    collection: Collection,
    name: str | None = None,
    is_public: bool | None = None,
    description: str | None = None,
    theme: str | None = None,
) -> None:
    """Rename a collection, change its visibility, description or theme."""
    _require_owner(user, collection)
    if name is not None:
        collection.name = _clean_collection_name(name)
    if is_public is not None:
        collection.is_public = is_public
    if description is not None:
        collection.description = _limited(
            description, COLLECTION_DESCRIPTION_MAX_LENGTH, "The description"
        )
    if theme is not None:
        collection.theme = _limited(theme, 20, "The theme") or collection.theme
    try:
        with transaction.atomic():
            collection.save()
    except IntegrityError:
        raise CommunityError(f"You already have a collection named '{collection.name}'.") from None


def delete_collection(user: Any, collection: Collection) -> None:
    _require_owner(user, collection)
    collection.delete()


# --- accounts -------------------------------------------------------------------------


def register_user(username: str, email: str, password: str, display_name: str = "") -> AbstractUser:
    """Create an account (the sign-up form has validated the fields and the password).

    The database keeps usernames and addresses (case-insensitive) unique, so a sign-up that
    raced another one for the same name or address is refused here with a message.
    """
    try:
        with transaction.atomic():
            return get_user_model().objects.create_user(
                username=username,
                email=email,
                password=password,
                first_name=clean_text(display_name),
            )
    except IntegrityError:
        raise CommunityError(
            "That username or email address was just taken by another account; choose another."
        ) from None


def send_verification_email(user: Any) -> None:
    """Mail the account's address a signed link that verifies it; OSError/SMTP errors propagate."""
    from community.email_verification import make_token

    context = {
        "user": user,
        "site_name": settings.SITE_NAME,
        "url": f"{settings.SITE_URL}/accounts/verify/{make_token(user)}",
        "hours": settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS // 3600,
    }
    subject = render_to_string("registration/verify_email_subject.txt", context).strip()
    body = render_to_string("registration/verify_email.txt", context)
    send_mail(subject, body, None, [user.email])


def mark_email_verified(user: Any, now: dt.datetime | None = None, actor: Any = None) -> None:
    """Record that the account's current address is verified: its link was used, or a
    curator (``actor``, audited) vouches for it in the admin."""
    if actor is not None:
        _require_curator(actor)
    with transaction.atomic():
        VerifiedEmail.objects.update_or_create(
            user=user, defaults={"email": user.email, "verified_at": now or timezone.now()}
        )
        if actor is not None:
            audit(actor, "verify_email", user, email=user.email)
