"""Papers in Hugging Face's ``/api/daily_papers`` JSON shape.

Shared by the HTTP API, the CLI's ``--json`` output and the Markdown export so the
field names stay identical everywhere. Papers are ``papers.cards.PaperCard`` and feed
entries ``papers.cards.CardEntry``, so serialising runs no query.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings

from papers.cards import CardAuthorship, CardEntry, CardOrganization, PaperCard


def iso(value: datetime | None) -> str | None:
    """HF's timestamp format: ISO 8601 UTC with milliseconds and a ``Z``."""
    if value is None:
        return None
    if value.utcoffset():
        value = value.astimezone(UTC)
    # isoformat is much faster than strftime; [:23] drops the "+00:00" of aware values.
    return value.isoformat(timespec="milliseconds")[:23] + "Z"


NEW_YORK = ZoneInfo("America/New_York")


def new_york_wall_clock(value: datetime) -> datetime:
    """HF's item-level ``publishedAt``: the paper's instant shifted by New York's UTC offset
    at that instant (its New York wall-clock time written as if it were UTC), so 00:00 UTC
    becomes 20:00Z the day before in summer (EDT, -4 h) and 19:00Z in winter (EST, -5 h).
    Every item of HF's answers since March 2025 follows this rule."""
    offset = value.astimezone(NEW_YORK).utcoffset()
    return value + offset if offset is not None else value


def avatar_url(username: str) -> str:
    """A local account's avatar (an initials SVG served by the api app, like HF's defaults)."""
    return f"{settings.SITE_URL}/avatars/{quote(username)}.svg"


def _object_id(prefix: int, pk: int) -> str:
    # HF ids are 24-hex Mongo ObjectIds; ours are stable and recognisable by their prefix.
    return f"{prefix:08x}{pk:016x}"


def hf_organization(org: CardOrganization | None) -> dict[str, Any] | None:
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


def hf_author(authorship: CardAuthorship) -> dict[str, Any]:
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
            "name": user.username,
            "fullname": user.get_full_name() or user.username,
            "type": "user",
            "isPro": False,
            "avatarUrl": avatar_url(user.username),
        }
        if authorship.claimed_at is not None:
            data["statusLastChangedAt"] = iso(authorship.claimed_at)
    return data


def _name_id(name: str) -> str:
    # Imported submitters are HF accounts we only know by name: a stable id from the name.
    return hashlib.sha1(name.encode()).hexdigest()[:24]


def hf_submitter(entry: CardEntry | None) -> dict[str, Any] | None:
    """Item-level ``submittedBy``: the account that put the paper on the feed."""
    if entry is None:
        return None
    user = entry.submitted_by
    if user is not None:
        data: dict[str, Any] = {
            "_id": _object_id(3, user.pk),
            "name": user.username,
            "fullname": user.get_full_name() or user.username,
            "type": "user",
            "avatarUrl": avatar_url(user.username),
        }
        is_mod = bool(user.is_staff)
    elif entry.submitter_name:
        data = {
            "_id": _name_id(entry.submitter_name),
            "name": entry.submitter_name,
            "fullname": entry.submitter_fullname or entry.submitter_name,
            "type": "user",
        }
        is_mod = False
    else:
        return None
    if entry.submitter_avatar:
        data["avatarUrl"] = entry.submitter_avatar
    # HF account flags: there are no paid or HF-staff accounts here; moderators are staff.
    data.update(isPro=False, isHf=False, isHfAdmin=False, isMod=is_mod, isUserFollowing=False)
    return data


def hf_daily_submitter(entry: CardEntry | None) -> dict[str, Any] | None:
    """Paper-level ``submittedOnDailyBy``: HF names the username both ``user`` and ``name``."""
    submitter = hf_submitter(entry)
    if submitter is None:
        return None
    data = {
        key: submitter[key]
        for key in ("_id", "fullname", "name", "type", "avatarUrl")
        if key in submitter
    }
    data.update(user=submitter["name"], isPro=False)
    return data


def hf_paper(paper: PaperCard, entry: CardEntry | None = None) -> dict[str, Any]:
    """The nested ``paper`` object of an HF item (also ``GET /api/papers/{id}``)."""
    data: dict[str, Any] = {
        "id": paper.arxiv_id,
        "authors": [hf_author(a) for a in paper.authorships],
        "publishedAt": iso(paper.published_at),
        "title": paper.title,
        "summary": paper.abstract,
        "upvotes": paper.upvotes,
        "discussionId": str(paper.extra.get("discussionId") or _object_id(4, paper.pk)),
    }
    if entry is not None:
        data["submittedOnDailyAt"] = iso(entry.submitted_at or _midnight(entry))
        submitter = hf_daily_submitter(entry)
        if submitter is not None:  # HF omits the key rather than sending null
            data["submittedOnDailyBy"] = submitter
    optional = {
        "githubRepo": paper.github_repo or None,
        "githubStars": paper.github_stars,
        "projectPage": paper.project_page or None,
        "ai_summary": paper.ai_summary or None,
        "ai_keywords": paper.ai_keywords or None,
        "organization": hf_organization(paper.organization),
        "mediaUrls": _media_urls(paper),
        "githubRepoAddedBy": _extra_str(paper, "githubRepoAddedBy") if paper.github_repo else None,
        "ai_summary_model": _extra_str(paper, "ai_summary_model") if paper.ai_summary else None,
    }
    data.update({key: value for key, value in optional.items() if value is not None})
    return data


def hf_item_fields(paper: PaperCard) -> dict[str, Any]:
    """The item-level fields every HF paper item has (daily feed and search alike), after
    its ``paper`` and ``publishedAt``."""
    return {
        "title": paper.title,
        "summary": paper.abstract,
        "thumbnail": paper.thumbnail
        or f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{paper.arxiv_id}.png",
        "numComments": paper.num_comments,
        "isAuthorParticipating": any(a.claimed_by_id for a in paper.authorships),
    }


def hf_daily_item(entry: CardEntry, paper: PaperCard) -> dict[str, Any]:
    """One item of ``GET /api/daily_papers``: ``entry`` of ``paper`` on the feed."""
    nested = hf_paper(paper, entry)
    item: dict[str, Any] = {
        "paper": nested,
        "publishedAt": iso(new_york_wall_clock(paper.published_at))
        if paper.published_at
        else iso(entry.submitted_at or _midnight(entry)),
        **hf_item_fields(paper),
    }
    submitter = hf_submitter(entry)
    if submitter is not None:  # HF omits the key rather than sending null
        item["submittedBy"] = submitter
    if paper.organization is not None:
        item["organization"] = hf_organization(paper.organization)
    media = _media_urls(paper)
    if media:
        item["mediaUrls"] = media
    return item


def _midnight(entry: CardEntry) -> datetime:
    # Entries without a submission time (old imports, curator picks) count from their day.
    return datetime(entry.date.year, entry.date.month, entry.date.day, tzinfo=UTC)


def _media_urls(paper: PaperCard) -> list[str] | None:
    media = paper.extra.get("mediaUrls") if isinstance(paper.extra, dict) else None
    if isinstance(media, list) and media:
        return [url for url in media if isinstance(url, str)] or None
    return None


def _extra_str(paper: PaperCard, key: str) -> str | None:
    value = paper.extra.get(key) if isinstance(paper.extra, dict) else None
    return value if isinstance(value, str) and value else None
