"""The source-independent record every importer produces, and its validation.

A field left at ``None`` means "this source does not say": the write service then keeps
whatever is stored, so one source never blanks what another one provided.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from papers.arxiv_ids import parse_arxiv_id


class RecordError(ValueError):
    """A record (or one of its fields) is unusable; the import rejects it and goes on."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True)
class Rejected:
    """A rejected input record: where it was, which field, and why."""

    origin: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"rejected {self.origin}: {self.field}: {self.reason}"


@dataclass(frozen=True)
class InputFailure:
    """An input that cannot be used at all (missing file, not JSON, ...)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"error: {self.path}: {self.reason}"


@dataclass
class AuthorRecord:
    name: str
    hf_id: str = ""
    hidden: bool | None = None
    status: str = ""


@dataclass
class OrganizationRecord:
    slug: str
    name: str
    hf_id: str = ""
    avatar_url: str = ""


@dataclass
class DailyRecord:
    """An appearance on the daily feed of ``date`` (the listing day)."""

    date: dt.date
    submitted_at: dt.datetime | None = None
    submitter_name: str = ""
    submitter_fullname: str = ""
    submitter_avatar: str = ""
    submitter_comment: str = ""


@dataclass
class PaperRecord:
    arxiv_id: str
    title: str
    source: str
    origin: str = ""
    version: int | None = None
    abstract: str | None = None
    authors: list[AuthorRecord] | None = None
    published_at: dt.datetime | None = None
    source_updated_at: dt.datetime | None = None
    categories: list[str] | None = None
    primary_category: str | None = None
    comment: str | None = None
    withdrawn: bool | None = None
    organization: OrganizationRecord | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    thumbnail: str | None = None
    ai_summary: str | None = None
    ai_keywords: list[str] | None = None
    upvotes: int | None = None
    comments: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    daily: DailyRecord | None = None
    # Fields written only when the stored value is empty (estimates such as a listing
    # date standing in for the publication date must not overwrite a real value).
    weak_fields: frozenset[str] = frozenset()


# Paper fields copied as-is from a record when the record provides them.
PAPER_FIELDS = (
    "title",
    "abstract",
    "published_at",
    "source_updated_at",
    "categories",
    "primary_category",
    "comment",
    "withdrawn",
    "github_repo",
    "github_stars",
    "project_page",
    "thumbnail",
    "ai_summary",
    "ai_keywords",
)
_URL_FIELDS = ("github_repo", "project_page", "thumbnail")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def validate(record: PaperRecord) -> RecordError | None:
    """The first problem that makes ``record`` unwritable, or None when it is fine."""
    try:
        _check_identity(record)
        _check_lengths(record)
        _check_authors(record.authors or [])
    except RecordError as error:
        return error
    return None


def _check_identity(record: PaperRecord) -> None:
    parsed = parse_arxiv_id(record.arxiv_id) if isinstance(record.arxiv_id, str) else None
    if parsed is None or parsed.id != record.arxiv_id:
        raise RecordError("id", f"not an arXiv id without version: {record.arxiv_id!r}")
    if not isinstance(record.title, str) or not record.title.strip():
        raise RecordError("title", "missing or empty")


def _check_lengths(record: PaperRecord) -> None:
    for name in _URL_FIELDS:
        value = getattr(record, name)
        if value is not None and (len(value) > 500 or not _URL.match(value)):
            raise RecordError(name, f"not an http(s) URL of at most 500 characters: {value!r}")
    if record.primary_category is not None and len(record.primary_category) > 40:
        raise RecordError("primary_category", "longer than 40 characters")
    org = record.organization
    if org is not None and (not org.slug or len(org.slug) > 200 or len(org.name) > 300):
        raise RecordError("organization", f"bad organization name {org.slug!r}")


def _check_authors(authors: list[AuthorRecord]) -> None:
    for index, author in enumerate(authors):
        if not author.name.strip() or len(author.name) > 300:
            raise RecordError(f"authors[{index}].name", "empty or longer than 300 characters")


# --- helpers shared by the source parsers -------------------------------------------


def collapse(text: str) -> str:
    """``text`` with every run of whitespace (arXiv wraps lines) turned into one space."""
    return _WHITESPACE.sub(" ", text).strip()


def author_name(text: str) -> str:
    """A display name: whitespace collapsed, cut at the column's 300 characters (a few
    sources glue whole author lists into one "name"; the paper is still worth keeping)."""
    return collapse(text)[:300]


def get_str(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    """``data[key]`` as a stripped string; None when absent/null/empty (unless required)."""
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise RecordError(key, "missing or empty")
        return None
    if not isinstance(value, str):
        raise RecordError(key, f"expected a string, got {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise RecordError(key, "missing or empty")
    return value or None


def get_url(data: dict[str, Any], key: str) -> str | None:
    """``data[key]`` as a URL; stray whitespace (line breaks pasted into links) removed."""
    value = get_str(data, key)
    return _WHITESPACE.sub("", value) if value else None


def get_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(key, f"expected an integer, got {type(value).__name__}")
    return value


def get_str_list(data: dict[str, Any], key: str) -> list[str] | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value.split()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RecordError(key, "expected a list of strings")
    return [item.strip() for item in value if item.strip()]


def parse_datetime(value: Any, key: str) -> dt.datetime | None:
    """An aware UTC datetime from ISO 8601 text (a bare date means midnight UTC)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(key, f"expected an ISO date string, got {type(value).__name__}")
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(key, f"not an ISO 8601 date: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def parse_date(value: Any, key: str) -> dt.date | None:
    moment = parse_datetime(value, key)
    return moment.date() if moment else None


def arxiv_id_of(value: Any, key: str = "id") -> tuple[str, int | None]:
    """(id without version, version) from a bare id or an arXiv URL."""
    if not isinstance(value, str) or not value.strip():
        raise RecordError(key, "missing arXiv id")
    parsed = parse_arxiv_id(value)
    if parsed is None:
        raise RecordError(key, f"not an arXiv id: {value!r}")
    return parsed.id, parsed.version
