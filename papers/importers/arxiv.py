"""arXiv metadata in its two XML formats, to ``PaperRecord``.

- the arXiv API's Atom feed (``export.arxiv.org/api/query``): ``<feed>`` of ``<entry>``;
- OAI-PMH ``ListRecords`` / ``GetRecord`` with ``metadataPrefix=arXiv``.

arXiv-imported papers are searchable papers, not daily-feed entries, so records carry no
``daily``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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


class NotArxivXml(ValueError):
    """The document is not an arXiv Atom feed or OAI-PMH response."""


@dataclass
class Feed:
    """One parsed response: its records and, for the API, the total number of results."""

    items: list[PaperRecord | Rejected]
    total: int | None = None


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
    )


# --- OAI-PMH (metadataPrefix=arXiv) ---------------------------------------------------


def _oai_response(root: ET.Element, origin: str) -> Feed:
    error = root.find(f"{OAI}error")
    if error is not None and error.get("code") != "noRecordsMatch":
        raise NotArxivXml(f"OAI-PMH error {error.get('code')}: {collapse(error.text or '')}")
    items: list[PaperRecord | Rejected] = []
    for index, record in enumerate(root.iter(f"{OAI}record")):
        where = f"{origin} record {index}"
        items.append(guarded(lambda r=record, w=where: oai_record(r, w), where))
    return Feed(items)


def oai_record(record: ET.Element, origin: str = "") -> PaperRecord:
    """One OAI-PMH ``<record>`` in the ``arXiv`` metadata format as a record."""
    header = record.find(f"{OAI}header")
    if header is not None and header.get("status") == "deleted":
        raise RecordError("header", "record deleted upstream")
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
    )


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
