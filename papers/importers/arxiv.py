"""arXiv metadata in its two XML formats, to ``PaperRecord``.

- the arXiv API's Atom feed (``export.arxiv.org/api/query``): ``<feed>`` of ``<entry>``;
- OAI-PMH ``ListRecords`` / ``GetRecord`` with ``metadataPrefix=arXiv``, or ``arXivRaw``
  (the format live harvests use: it carries the version history, so a replacement updates
  the stored version, and a withdrawal is visible as a source-less last version).

arXiv-imported papers are searchable papers, not daily-feed entries, so records carry no
``daily``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from papers.importers.records import (
    AuthorRecord,
    InputFailure,
    PaperRecord,
    RecordError,
    Rejected,
    arxiv_id_of,
    author_name,
    collapse,
    parse_datetime,
)
from papers.importers.sources import Item, expand_paths, guarded, read_errors

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
OAI_ARXIV = "{http://arxiv.org/OAI/arXiv/}"
OAI_RAW = "{http://arxiv.org/OAI/arXivRaw/}"
# arXiv's withdrawal notices ("This paper has been withdrawn by the author", "Withdrawn: …").
_WITHDRAWN = re.compile(r"(^|\b(has been|is|was|paper|article|submission)\s+)withdrawn\b", re.I)


class NotArxivXml(ValueError):
    """The document is not an arXiv Atom feed or OAI-PMH response."""


@dataclass
class Feed:
    """One parsed response: its records and, for the API, the total number of results.

    OAI-PMH responses also give the server's ``responseDate`` (the next incremental
    harvest's ``from``), the ``resumptionToken`` of the next page ("" on the last one), the
    header ``datestamp`` of each record by arXiv id, and the ids the server lists as deleted.
    """

    items: list[PaperRecord | Rejected]
    total: int | None = None
    response_date: str = ""
    resumption_token: str = ""
    datestamps: dict[str, str] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)


class ResumptionTokenExpired(NotArxivXml):
    """OAI-PMH ``badResumptionToken``: the server no longer knows the token."""


def is_withdrawal(comment: str | None) -> bool:
    """Whether an arXiv comment is a withdrawal notice."""
    return bool(comment and _WITHDRAWN.search(comment))


def read_arxiv_paths(paths: Iterable[str | Path]) -> Iterator[Item]:
    """Records from Atom or OAI-PMH XML files (or folders of ``*.xml`` / ``*.atom``)."""
    for path in expand_paths(paths, ("*.xml", "*.atom")):
        if isinstance(path, InputFailure):
            yield path
            continue
        try:
            feed = parse_arxiv_xml(path.read_bytes(), str(path))
        except read_errors() as error:
            yield InputFailure(str(path), f"cannot read file: {error}")
        except NotArxivXml as error:
            yield InputFailure(str(path), str(error))
        else:
            yield from feed.items


def parse_arxiv_xml(data: bytes, origin: str = "") -> Feed:
    """Parse an Atom feed or an OAI-PMH response; ``NotArxivXml`` if it is neither."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise NotArxivXml(f"not well-formed XML: {error}") from None
    if root.tag == f"{ATOM}feed":
        return _atom_feed(root, origin)
    if root.tag == f"{OAI}OAI-PMH":
        return _oai_response(root, origin)
    raise NotArxivXml(f"not an arXiv Atom feed or OAI-PMH response (root element {root.tag})")


# --- Atom (arXiv API) -----------------------------------------------------------------


def _atom_feed(root: ET.Element, origin: str) -> Feed:
    total = root.findtext(f"{OPENSEARCH}totalResults")
    items: list[PaperRecord | Rejected] = []
    for index, entry in enumerate(root.iter(f"{ATOM}entry")):
        where = f"{origin} entry {index}"
        items.append(guarded(lambda e=entry, w=where: atom_entry(e, w), where))
    return Feed(items, int(total) if total and total.strip().isdigit() else None)


def atom_entry(entry: ET.Element, origin: str = "") -> PaperRecord:
    """One ``<entry>`` of the arXiv API as a record."""
    raw_id = _text(entry, f"{ATOM}id")
    if "/api/errors" in raw_id:  # the API reports a bad query as an entry
        raise RecordError("id", _text(entry, f"{ATOM}summary") or "arXiv API error")
    arxiv_id, version = arxiv_id_of(raw_id)
    primary = entry.find(f"{ARXIV}primary_category")
    categories = [c.get("term", "") for c in entry.findall(f"{ATOM}category") if c.get("term")]
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=_required(entry, f"{ATOM}title", "title"),
        source="arxiv",
        origin=origin,
        abstract=_text(entry, f"{ATOM}summary") or None,
        authors=[AuthorRecord(author_name(n)) for n in _all(entry, f"{ATOM}author/{ATOM}name")],
        published_at=parse_datetime(_text(entry, f"{ATOM}published") or None, "published"),
        source_updated_at=parse_datetime(_text(entry, f"{ATOM}updated") or None, "updated"),
        categories=categories or None,
        primary_category=primary.get("term") if primary is not None else None,
        comment=_text(entry, f"{ARXIV}comment") or None,
        withdrawn=is_withdrawal(_text(entry, f"{ARXIV}comment")),
    )


# --- OAI-PMH (metadataPrefix=arXiv) ---------------------------------------------------


def _oai_response(root: ET.Element, origin: str) -> Feed:
    error = root.find(f"{OAI}error")
    if error is not None and error.get("code") == "badResumptionToken":
        raise ResumptionTokenExpired(f"OAI-PMH error badResumptionToken: {error.text or ''}")
    if error is not None and error.get("code") != "noRecordsMatch":
        raise NotArxivXml(f"OAI-PMH error {error.get('code')}: {collapse(error.text or '')}")
    feed = Feed([], response_date=_text(root, f"{OAI}responseDate"))
    token = root.find(f"{OAI}ListRecords/{OAI}resumptionToken")
    if token is not None:
        feed.resumption_token = collapse(token.text or "")
        size = token.get("completeListSize", "")
        feed.total = int(size) if size.isdigit() else None
    for index, record in enumerate(root.iter(f"{OAI}record")):
        where = f"{origin} record {index}"
        header = record.find(f"{OAI}header")
        if header is not None and header.get("status") == "deleted":
            feed.deleted.append(_oai_header_id(header))  # and rejected below, as for files
        item = guarded(lambda r=record, w=where: oai_record(r, w), where)
        feed.items.append(item)
        if isinstance(item, PaperRecord) and header is not None:
            feed.datestamps[item.arxiv_id] = _text(header, f"{OAI}datestamp")
    return feed


def _oai_header_id(header: ET.Element) -> str:
    identifier = _text(header, f"{OAI}identifier").removeprefix("oai:arXiv.org:")
    try:
        return arxiv_id_of(identifier)[0]
    except RecordError:
        return identifier


def oai_record(record: ET.Element, origin: str = "") -> PaperRecord:
    """One OAI-PMH ``<record>`` in the ``arXiv`` or ``arXivRaw`` metadata format."""
    header = record.find(f"{OAI}header")
    if header is not None and header.get("status") == "deleted":
        raise RecordError("header", "record deleted upstream")
    raw = record.find(f"{OAI}metadata/{OAI_RAW}arXivRaw")
    if raw is not None:
        return raw_record(raw, origin)
    meta = record.find(f"{OAI}metadata/{OAI_ARXIV}arXiv")
    if meta is None:
        raise RecordError("metadata", "no arXiv metadata (metadataPrefix must be arXiv)")
    arxiv_id, version = arxiv_id_of(_text(meta, f"{OAI_ARXIV}id"))
    categories = _text(meta, f"{OAI_ARXIV}categories").split()
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=_required(meta, f"{OAI_ARXIV}title", "title"),
        source="arxiv",
        origin=origin,
        abstract=_text(meta, f"{OAI_ARXIV}abstract") or None,
        authors=[AuthorRecord(author_name(n)) for n in _oai_authors(meta)],
        published_at=parse_datetime(_text(meta, f"{OAI_ARXIV}created") or None, "created"),
        source_updated_at=parse_datetime(_text(meta, f"{OAI_ARXIV}updated") or None, "updated"),
        categories=categories or None,
        primary_category=categories[0] if categories else None,
        comment=_text(meta, f"{OAI_ARXIV}comments") or None,
        withdrawn=is_withdrawal(_text(meta, f"{OAI_ARXIV}comments")),
    )


def raw_record(meta: ET.Element, origin: str = "") -> PaperRecord:
    """One ``arXivRaw`` metadata element: the newest version's number and dates, and
    withdrawn when the newest version has no source (arXiv's withdrawal) or says so."""
    arxiv_id, _ = arxiv_id_of(_text(meta, f"{OAI_RAW}id"))
    versions = meta.findall(f"{OAI_RAW}version")
    numbers = [_version_number(v.get("version", "")) for v in versions]
    dates = [_raw_date(_text(v, f"{OAI_RAW}date")) for v in versions]
    categories = _text(meta, f"{OAI_RAW}categories").split()
    comment = _text(meta, f"{OAI_RAW}comments")
    last_size = _text(versions[-1], f"{OAI_RAW}size") if versions else ""
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=max(numbers) if numbers else None,
        title=_required(meta, f"{OAI_RAW}title", "title"),
        source="arxiv",
        origin=origin,
        abstract=_text(meta, f"{OAI_RAW}abstract") or None,
        authors=[
            AuthorRecord(author_name(n)) for n in split_authors(_text(meta, f"{OAI_RAW}authors"))
        ],
        published_at=dates[0] if dates else None,
        source_updated_at=dates[-1] if len(dates) > 1 else None,
        categories=categories or None,
        primary_category=categories[0] if categories else None,
        comment=comment or None,
        withdrawn=is_withdrawal(comment) or last_size in ("0kb", "0"),
    )


def _version_number(text: str) -> int:
    digits = text.lstrip("vV")
    if not digits.isdigit():
        raise RecordError("version", f"not a version: {text!r}")
    return int(digits)


def _raw_date(text: str) -> dt.datetime | None:
    """``Mon, 2 Apr 2007 19:18:42 GMT`` (RFC 2822, as arXivRaw writes) as UTC."""
    if not text:
        return None
    try:
        return email.utils.parsedate_to_datetime(text).astimezone(dt.UTC)
    except (TypeError, ValueError):
        raise RecordError("version.date", f"not a date: {text!r}") from None


def split_authors(text: str) -> list[str]:
    """arXivRaw's one-line author list ("A. One, B. Two (MIT) and C. Three") as names;
    affiliations in parentheses are dropped."""
    depth, plain = 0, []
    for char in text:
        depth += char == "("
        if depth == 0:
            plain.append(char)
        depth -= char == ")" and depth > 0
    names = re.split(r",|\band\b", "".join(plain))
    return [collapse(name) for name in names if collapse(name)]


def _oai_authors(meta: ET.Element) -> list[str]:
    names = []
    for author in meta.iterfind(f"{OAI_ARXIV}authors/{OAI_ARXIV}author"):
        parts = (_text(author, f"{OAI_ARXIV}{tag}") for tag in ("forenames", "keyname", "suffix"))
        name = " ".join(part for part in parts if part)
        if name:
            names.append(name)
    return names


# --- helpers --------------------------------------------------------------------------


def _text(element: ET.Element, path: str) -> str:
    """The whitespace-collapsed text at ``path`` (arXiv wraps long lines), or ""."""
    return collapse(element.findtext(path) or "")


def _required(element: ET.Element, path: str, name: str) -> str:
    value = _text(element, path)
    if not value:
        raise RecordError(name, "missing or empty")
    return value


def _all(element: ET.Element, path: str) -> list[str]:
    return [collapse(found.text or "") for found in element.iterfind(path) if found.text]
