"""Papers in Hugging Face's ``/api/daily_papers`` JSON shape.

Shared by the HTTP API, the CLI's ``--json`` output and the Markdown export so the
field names stay identical everywhere. Callers prefetch ``authorships__author``,
``authorships__claimed_by`` and select ``organization`` to avoid per-paper queries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from papers.models import DailyEntry, Organization, Paper, PaperAuthor


def iso(value: datetime | None) -> str | None:
    """HF's timestamp format: ISO 8601 UTC with milliseconds and a ``Z``."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _object_id(prefix: int, pk: int) -> str:
    # HF ids are 24-hex Mongo ObjectIds; ours are stable and recognisable by their prefix.
    return f"{prefix:08x}{pk:016x}"


def hf_organization(org: Organization | None) -> dict[str, Any] | None:
    if org is None:
        return None
    data: dict[str, Any] = {
        "_id": org.hf_id or _object_id(2, org.pk),
        "name": org.slug,
        "fullname": org.name,
    }
    if org.avatar_url:
        data["avatar"] = org.avatar_url
    return data


def hf_author(authorship: PaperAuthor) -> dict[str, Any]:
    data: dict[str, Any] = {
        "_id": authorship.hf_id or _object_id(1, authorship.pk),
        "name": authorship.author.name,
        "hidden": authorship.hidden,
    }
    if authorship.status:
        data["status"] = authorship.status
    user = authorship.claimed_by
    if user is not None:
        data["status"] = "claimed_verified"
        data["user"] = {
            "_id": _object_id(3, user.pk),
            "user": user.username,
            "fullname": user.get_full_name() or user.username,
            "type": "user",
        }
    return data


def hf_submitter(entry: DailyEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    user = entry.submitted_by
    if user is not None:
        return {
            "_id": _object_id(3, user.pk),
            "name": user.username,
            "fullname": user.get_full_name() or user.username,
            "type": "user",
        }
    if not entry.submitter_name:
        return None
    data = {
        "name": entry.submitter_name,
        "fullname": entry.submitter_fullname or entry.submitter_name,
        "type": "user",
    }
    if entry.submitter_avatar:
        data["avatarUrl"] = entry.submitter_avatar
    return data


def hf_paper(paper: Paper, entry: DailyEntry | None = None) -> dict[str, Any]:
    """The nested ``paper`` object of an HF item (also ``GET /api/papers/{id}``)."""
    data: dict[str, Any] = {
        "id": paper.arxiv_id,
        "authors": [hf_author(a) for a in paper.authorships.all()],
        "publishedAt": iso(paper.published_at),
        "title": paper.title,
        "summary": paper.abstract,
        "upvotes": paper.upvotes,
        "discussionId": _object_id(4, paper.pk),
    }
    if entry is not None:
        data["submittedOnDailyAt"] = iso(entry.submitted_at)
        data["submittedOnDailyBy"] = hf_submitter(entry)
    optional = {
        "githubRepo": paper.github_repo or None,
        "githubStars": paper.github_stars,
        "projectPage": paper.project_page or None,
        "ai_summary": paper.ai_summary or None,
        "ai_keywords": paper.ai_keywords or None,
        "organization": hf_organization(paper.organization),
    }
    data.update({key: value for key, value in optional.items() if value is not None})
    return data


def hf_daily_item(entry: DailyEntry) -> dict[str, Any]:
    """One item of ``GET /api/daily_papers``."""
    paper = entry.paper
    item: dict[str, Any] = {
        "paper": hf_paper(paper, entry),
        "publishedAt": iso(entry.submitted_at or paper.published_at),
        "title": paper.title,
        "summary": paper.abstract,
        "thumbnail": paper.thumbnail
        or f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{paper.arxiv_id}.png",
        "numComments": paper.num_comments,
        "submittedBy": hf_submitter(entry),
        "isAuthorParticipating": any(a.claimed_by_id for a in paper.authorships.all()),
    }
    if paper.organization is not None:
        item["organization"] = hf_organization(paper.organization)
    return item
