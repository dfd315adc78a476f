"""Hugging Face ``/api/daily_papers`` JSON (a list of daily items) to ``PaperRecord``.

Field presence varies over the years (``submittedOnDailyAt``, ``organization``,
``ai_summary`` ... appear later), so everything except the paper id and title is optional.
The listing day of an item is the ``YYYY-MM-DD`` in its file name when there is one, else
``paper.submittedOnDailyAt``, else the item's ``publishedAt``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from papers.importers.records import (
    AuthorRecord,
    DailyRecord,
    InputFailure,
    OrganizationRecord,
    PaperRecord,
    RecordError,
    arxiv_id_of,
    author_name,
    collapse,
    get_int,
    get_str,
    get_str_list,
    get_url,
    parse_date,
    parse_datetime,
)
from papers.importers.sources import (
    Item,
    expand_paths,
    field_scope,
    guarded,
    open_text,
    read_errors,
)

HF_URL = "https://huggingface.co"
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
# Small source fields kept in Paper.extra (the rest of what we do not model is dropped).
_EXTRA_KEYS = ("discussionId", "ai_summary_model", "githubRepoAddedBy")


def read_hf_paths(paths: Iterable[str | Path]) -> Iterator[Item]:
    """Records from HF daily-papers JSON files or folders of them."""
    for path in expand_paths(paths, ("*.json",)):
        if isinstance(path, InputFailure):
            yield path
        else:
            yield from read_hf_file(path)


def read_hf_file(path: Path) -> Iterator[Item]:
    """The items of one HF JSON file; the whole file is an ``InputFailure`` if unreadable."""
    try:
        data = json.loads(path.read_bytes())
    except read_errors() as error:
        yield InputFailure(str(path), f"cannot read file: {error}")
        return
    except ValueError as error:
        yield InputFailure(str(path), f"not valid JSON: {error}")
        return
    if not isinstance(data, list):
        yield InputFailure(str(path), "expected a JSON array of daily-paper items")
        return
    day = listing_date_from_name(path.name)
    for index, item in enumerate(data):
        origin = f"{path}[{index}]"
        yield guarded(lambda item=item, origin=origin: parse_hf_item(item, origin, day), origin)


def read_hf_lines(path: Path) -> Iterator[Item]:
    """HF items stored one per line as ``{"date": listing day, "item": {...}}`` (the demo)."""
    try:
        with open_text(path) as lines:
            for number, line in enumerate(lines, start=1):
                origin = f"{path}:{number}"
                yield guarded(lambda line=line, origin=origin: _dated_item(line, origin), origin)
    except read_errors() as error:
        yield InputFailure(str(path), f"cannot read file: {error}")


def _dated_item(line: str, origin: str) -> PaperRecord:
    try:
        data = json.loads(line)
    except ValueError as error:
        raise RecordError("line", f"not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise RecordError("line", "expected a JSON object")
    return parse_hf_item(data.get("item"), origin, parse_date(data.get("date"), "date"))


def listing_date_from_name(name: str) -> dt.date | None:
    match = _DATE_IN_NAME.search(name)
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def parse_hf_item(item: Any, origin: str = "", listing_date: dt.date | None = None) -> PaperRecord:
    """One HF daily item as a record with its appearance on the feed of its listing day."""
    if not isinstance(item, dict):
        raise RecordError("item", f"expected a JSON object, got {type(item).__name__}")
    paper = item.get("paper")
    if not isinstance(paper, dict):
        raise RecordError("paper", "missing or not an object")
    with field_scope("paper"):
        record = _paper_record(paper, item, origin)
    record.daily = _daily_record(paper, item, listing_date)
    return record


def _paper_record(paper: dict[str, Any], item: dict[str, Any], origin: str) -> PaperRecord:
    arxiv_id, version = arxiv_id_of(paper.get("id"))
    title = get_str(paper, "title") or get_str(item, "title", required=True) or ""
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=collapse(title),
        source="hf",
        origin=origin,
        abstract=get_str(paper, "summary") or get_str(item, "summary"),
        authors=_authors(paper.get("authors")),
        published_at=parse_datetime(paper.get("publishedAt"), "publishedAt"),
        organization=_organization(paper.get("organization") or item.get("organization")),
        github_repo=get_url(paper, "githubRepo"),
        github_stars=get_int(paper, "githubStars"),
        project_page=get_url(paper, "projectPage"),
        thumbnail=get_url(item, "thumbnail"),
        ai_summary=get_str(paper, "ai_summary"),
        ai_keywords=get_str_list(paper, "ai_keywords"),
        upvotes=get_int(paper, "upvotes"),
        comments=get_int(item, "numComments"),
        extra=_extra(paper, item),
    )


def _authors(raw: Any) -> list[AuthorRecord] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise RecordError("authors", "expected a list")
    return [_author(author, index) for index, author in enumerate(raw)]


def _author(raw: Any, index: int) -> AuthorRecord:
    name = raw.get("name") if isinstance(raw, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise RecordError(f"authors[{index}].name", "missing, empty or not a string")
    hf_id, hidden, status = raw.get("_id"), raw.get("hidden"), raw.get("status")
    return AuthorRecord(
        name=author_name(name),
        hf_id=hf_id if isinstance(hf_id, str) else "",
        hidden=hidden if isinstance(hidden, bool) else None,
        status=status if isinstance(status, str) else "",
    )


def _organization(raw: Any) -> OrganizationRecord | None:
    if not isinstance(raw, dict):
        return None
    with field_scope("organization"):
        slug = get_str(raw, "name")
        if slug is None:
            return None
        avatar = get_str(raw, "avatar") or ""
        return OrganizationRecord(
            slug=slug,
            name=get_str(raw, "fullname") or slug,
            hf_id=get_str(raw, "_id") or "",
            avatar_url=HF_URL + avatar if avatar.startswith("/") else avatar,
        )


def _extra(paper: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    extra = {key: paper[key] for key in _EXTRA_KEYS if paper.get(key) not in (None, "")}
    media = item.get("mediaUrls") or paper.get("mediaUrls")
    if isinstance(media, list) and media:
        extra["mediaUrls"] = [url for url in media if isinstance(url, str)][:10]
    return extra


def _daily_record(
    paper: dict[str, Any], item: dict[str, Any], listing_date: dt.date | None
) -> DailyRecord:
    submitted_at = parse_datetime(paper.get("submittedOnDailyAt"), "paper.submittedOnDailyAt")
    date = listing_date or (submitted_at.date() if submitted_at else None)
    date = date or parse_date(item.get("publishedAt"), "publishedAt")
    if date is None:
        raise RecordError("submittedOnDailyAt", "no listing date (file name, or publishedAt)")
    submitter = paper.get("submittedOnDailyBy") or item.get("submittedBy")
    submitter = submitter if isinstance(submitter, dict) else {}
    return DailyRecord(
        date=date,
        submitted_at=submitted_at,
        submitter_name=_text(submitter.get("user") or submitter.get("name"), 150),
        submitter_fullname=_text(submitter.get("fullname"), 300),
        submitter_avatar=_text(submitter.get("avatarUrl"), 500),
    )


def _text(value: Any, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""
