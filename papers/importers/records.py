"""The source-independent record every importer produces, and its validation.

A field left at ``None`` means "this source does not say": the write service then keeps
whatever is stored, so one source never blanks what another one provided.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from dailypapers.text import clean_text, safe_url
from papers.arxiv_ids import parse_arxiv_id
from papers.periods import PeriodError, check_date, latest_page_date
from papers.slugs import organization_slug


class RecordError(ValueError):
    """A record (or one of its fields) is unusable; the import rejects it and goes on."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True)
class RecordNote:
    """Something said about one input record: where it was, which field, and why."""

    origin: str
    field: str
    reason: str


@dataclass(frozen=True)
class Rejected(RecordNote):
    """A rejected input record."""

    def __str__(self) -> str:
        return f"rejected {self.origin}: {self.field}: {self.reason}"


@dataclass(frozen=True)
class Dropped(RecordNote):
    """A field left out of an otherwise good record (e.g. a ``javascript:`` link)."""

    def __str__(self) -> str:
        return f"dropped {self.field} of {self.origin}: {self.reason}"


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
# HF gives users' avatars as paths on huggingface.co ("/avatars/….svg"), served as they are.
_PATH_URL_FIELDS = ("submittedOnDailyBy.avatarUrl",)
_WHITESPACE = re.compile(r"\s+")
# Upper bounds far above real papers (arXiv caps abstracts at 1,920 characters): a record
# beyond them is broken or hostile, and is rejected rather than stored and served.
_MAX_LENGTHS = {
    "title": 2_000,
    "abstract": 50_000,
    "comment": 5_000,
    "ai_summary": 10_000,
    "primary_category": 40,
}
MAX_AUTHORS = 5_000
MAX_LIST_ITEMS = 100
MAX_MEDIA_URLS = 10


def validate(record: PaperRecord) -> RecordError | None:
    """The first problem that makes ``record`` unwritable, or None when it is fine."""
    try:
        _check_identity(record)
        _check_lengths(record)
        _check_dates(record)
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
    for name, limit in _MAX_LENGTHS.items():
        value = getattr(record, name)
        if value is not None and len(value) > limit:
            raise RecordError(name, f"longer than {limit:,} characters ({len(value):,})")
    for name in ("categories", "ai_keywords"):
        value = getattr(record, name)
        if value is not None and (len(value) > MAX_LIST_ITEMS or any(len(v) > 200 for v in value)):
            raise RecordError(name, f"more than {MAX_LIST_ITEMS} items or an item too long")
    org = record.organization
    if org is not None and (not org.slug or len(org.slug) > 200 or len(org.name) > 300):
        raise RecordError("organization", f"bad organization name {org.slug!r}")


def _check_dates(record: PaperRecord) -> None:
    """Dates between arXiv's start and a year ahead (the range feed pages can show)."""
    latest = latest_page_date()
    dates = {"published_at": record.published_at, "source_updated_at": record.source_updated_at}
    dates = {name: value.date() for name, value in dates.items() if value is not None}
    if record.daily is not None:
        dates["listing date"] = record.daily.date
    for name, date in dates.items():
        try:
            check_date(date, latest)
        except PeriodError as error:
            raise RecordError(name, str(error)) from None


def _check_authors(authors: list[AuthorRecord]) -> None:
    if len(authors) > MAX_AUTHORS:
        raise RecordError("authors", f"more than {MAX_AUTHORS:,} authors")
    for index, author in enumerate(authors):
        if not author.name.strip() or len(author.name) > 300:
            raise RecordError(f"authors[{index}].name", "empty or longer than 300 characters")


# --- cleaning (every importer's records pass here before validation) ----------------


def clean_record(record: PaperRecord) -> list[Dropped]:
    """Clean ``record`` in place: unstorable characters out of every text, organization
    slug made URL-safe, links that are not http(s) removed. Returns the dropped links."""
    for item in _records_with_text(record):
        for name in _field_names(type(item)):
            setattr(item, name, _clean_value(getattr(item, name)))
    if record.organization is not None:
        record.organization.slug = organization_slug(record.organization.slug)
    dropped: list[Dropped] = []
    drop = _url_dropper(record, dropped)
    for name in _URL_FIELDS:
        setattr(record, name, drop(name, getattr(record, name)))
    if record.organization is not None:
        org = record.organization
        org.avatar_url = drop("organization.avatar", org.avatar_url) or ""
    if record.daily is not None:
        daily = record.daily
        daily.submitter_avatar = drop("submittedOnDailyBy.avatarUrl", daily.submitter_avatar) or ""
    media = record.extra.get("mediaUrls")
    if media is not None:
        kept = [url for url in media if drop("mediaUrls", url)][:MAX_MEDIA_URLS]
        record.extra["mediaUrls"] = kept
    return dropped


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(spec.name for spec in dataclasses.fields(cls))


def _records_with_text(record: PaperRecord) -> list[Any]:
    parts: list[Any] = [record, *(record.authors or [])]
    return parts + [part for part in (record.organization, record.daily) if part is not None]


def _clean_value(value: Any) -> Any:
    """``value`` with ``clean_text`` applied to every string inside (lists and dicts too)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list) and not any(isinstance(v, AuthorRecord) for v in value):
        return [_clean_value(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(str(key)): _clean_value(item) for key, item in value.items()}
    return value


def _url_dropper(record: PaperRecord, dropped: list[Dropped]):
    """A function that returns a URL when it is safe, else records why it was dropped."""

    def drop(name: str, value: str | None) -> str | None:
        if not value:
            return value
        if safe_url(value, allow_path=name in _PATH_URL_FIELDS) is not None:
            return value
        shown = value[:80]
        reason = f"not an http(s) URL of at most 500 characters: {shown!r}"
        dropped.append(Dropped(record.origin or record.arxiv_id, name, reason))
        return None

    return drop


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
