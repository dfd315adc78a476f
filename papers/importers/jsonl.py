"""JSON Lines (plain or ``.gz``), one paper per line, to ``PaperRecord``.

Keys of the shared arXiv file: ``id``, ``title``, ``authors`` (list), ``categories``,
``primary_category``, ``abstract``, ``comment``, ``listing_date``, ``abs_url``, ``pdf_url``.
Generic aliases: ``arxiv_id``, ``summary``, ``authors`` as one comma-separated string,
``date`` / ``published``. The URLs are derived from the id, so they are not stored.
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
    PaperRecord,
    RecordError,
    arxiv_id_of,
    author_name,
    collapse,
    get_int,
    get_str,
    get_str_list,
    parse_date,
    parse_datetime,
)
from papers.importers.sources import Item, expand_paths, guarded, open_text, read_errors

_AUTHOR_SEPARATORS = re.compile(r"\s*(?:,|;|\band\b)\s*")


def read_jsonl_paths(paths: Iterable[str | Path], *, daily: bool = False) -> Iterator[Item]:
    """Records from JSON Lines files (or folders of ``*.jsonl`` / ``*.jsonl.gz``)."""
    for path in expand_paths(paths, ("*.jsonl", "*.jsonl.gz")):
        if isinstance(path, InputFailure):
            yield path
        else:
            yield from read_jsonl_file(path, daily=daily)


def read_jsonl_file(path: Path, *, daily: bool = False) -> Iterator[Item]:
    """The records of one file; a read error ends the file with an ``InputFailure``."""
    try:
        with open_text(path) as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    origin = f"{path}:{number}"
                    yield guarded(lambda line=line, o=origin: parse_line(line, o, daily), origin)
    except read_errors() as error:
        yield InputFailure(str(path), f"cannot read file: {error}")


def parse_line(line: str, origin: str = "", daily: bool = False) -> PaperRecord:
    try:
        data = json.loads(line)
    except ValueError as error:
        raise RecordError("line", f"not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise RecordError("line", f"expected a JSON object, got {type(data).__name__}")
    return parse_jsonl_record(data, origin, daily)


def parse_jsonl_record(data: dict[str, Any], origin: str = "", daily: bool = False) -> PaperRecord:
    """One JSON object as a record; with ``daily`` its listing date becomes a feed entry."""
    key = "id" if data.get("id") is not None else "arxiv_id"
    arxiv_id, version = arxiv_id_of(data.get(key), key)
    listing = parse_date(data.get("listing_date"), "listing_date")
    published = _published(data)
    record = PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=collapse(get_str(data, "title", required=True) or ""),
        source="jsonl",
        origin=origin,
        abstract=get_str(data, "abstract") or get_str(data, "summary"),
        authors=_authors(data.get("authors")),
        published_at=published,
        categories=get_str_list(data, "categories"),
        primary_category=get_str(data, "primary_category"),
        comment=get_str(data, "comment"),
        upvotes=get_int(data, "upvotes"),
    )
    if published is None and listing is not None:
        # The listing day stands in for the publication date, but never replaces a real one.
        record.published_at = parse_datetime(listing.isoformat(), "listing_date")
        record.weak_fields = frozenset({"published_at"})
    if daily:
        record.daily = _daily(listing or (published.date() if published else None))
    return record


def _published(data: dict[str, Any]) -> dt.datetime | None:
    for key in ("published", "published_at", "date"):
        if data.get(key) is not None:
            return parse_datetime(data[key], key)
    return None


def _daily(date: dt.date | None) -> DailyRecord:
    if date is None:
        raise RecordError("listing_date", "needed with --daily (or a date/published field)")
    return DailyRecord(date=date)


def _authors(raw: Any) -> list[AuthorRecord] | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        names = _AUTHOR_SEPARATORS.split(raw)
    elif isinstance(raw, list):
        names = [_author_name(item, index) for index, item in enumerate(raw)]
    else:
        raise RecordError("authors", f"expected a list or a string, got {type(raw).__name__}")
    return [AuthorRecord(name=author_name(name)) for name in names if name and name.strip()]


def _author_name(item: Any, index: int) -> str:
    if isinstance(item, dict):
        item = item.get("name")
    if not isinstance(item, str):
        raise RecordError(f"authors[{index}]", "expected a name (string or {name: ...})")
    return item
