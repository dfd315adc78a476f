"""Reading a user's bibliography: BibTeX, CSL-JSON or a plain list of arXiv ids / URLs.

Each format is read into ``Reference`` records (what identifies a paper: arXiv id, DOI,
title) plus one ``Problem`` per entry that cannot be read, so one broken entry never loses
the others. BibTeX is parsed by bibtexparser (its failed blocks become problems); CSL-JSON
by the json module. Where the arXiv id hides differs between exporters:

- Zotero (BibTeX): ``eprint`` + ``archivePrefix = {arXiv}``, or ``url``; (CSL-JSON): ``number
  = "arXiv:2401.01234"``, ``URL``, or an arXiv DOI ``10.48550/arXiv.2401.01234``;
- Mendeley: ``arxivId``; Google Scholar: ``journal = {arXiv preprint arXiv:2401.01234}``.

The fields that may name the paper itself (``ARXIV_FIELDS``; never the abstract, which may
cite others) are scanned for those shapes; an arXiv DOI gives the id too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

import bibtexparser
from bibtexparser import middlewares

from dailypapers.text import clean_text
from papers.arxiv_ids import NEW_ID, OLD_ID, parse_arxiv_id

Format = Literal["auto", "bibtex", "csl-json", "ids"]
FORMATS: tuple[Format, ...] = ("auto", "bibtex", "csl-json", "ids")

_ID = rf"(?P<id>{NEW_ID}|{OLD_ID})(?:v\d+)?"
# "arXiv:2401.01234", "arXiv preprint arXiv:2401.01234", "arxiv.org/abs/2401.01234v2",
# "10.48550/arXiv.2401.01234" (the DOIs arXiv assigns).
_ARXIV_IN_TEXT = re.compile(
    rf"(?:arxiv\s*:\s*|arxiv\.org/(?:abs|pdf|html)/|10\.48550/arxiv\.){_ID}(?![\d.])",
    re.IGNORECASE,
)
_DOI = re.compile(r"\b(10\.\d{4,9}/\S+)", re.IGNORECASE)
MAX_LABEL = 80
ARXIV_FIELDS = (
    "eprint", "arxivid", "arxiv", "doi", "url", "journal", "journaltitle", "note", "number",
    "archive_location", "howpublished", "id",
)  # fmt: skip


@dataclass(frozen=True)
class Reference:
    """One entry of the user's bibliography: ``label`` names it in messages."""

    label: str
    arxiv_id: str = ""
    doi: str = ""
    title: str = ""


@dataclass(frozen=True)
class Problem:
    """An entry that could not be read, and why, in words for the user."""

    label: str
    message: str


@dataclass
class Parsed:
    references: list[Reference]
    problems: list[Problem]


class ReferenceError(ValueError):
    """The whole input is unusable (empty, too large, not the format it claims to be)."""


def detect_format(text: str, filename: str = "") -> Format:
    """The format of ``text``: by the file's extension, else by its first characters."""
    name = filename.lower()
    if name.endswith((".bib", ".bibtex")):
        return "bibtex"
    if name.endswith((".json", ".csljson")):
        return "csl-json"
    start = text.lstrip()[:1]
    if start in ("[", "{"):
        return "csl-json"
    if re.search(r"^\s*@\w+\s*[{(]", text, re.MULTILINE):
        return "bibtex"
    return "ids"


def parse(text: str, fmt: Format = "auto", filename: str = "") -> Parsed:
    """The references in ``text``; ``ReferenceError`` when nothing in it can be read."""
    text = clean_text(text)
    if not text.strip():
        raise ReferenceError("The import is empty: paste or upload a bibliography.")
    fmt = detect_format(text, filename) if fmt == "auto" else fmt
    readers = {"bibtex": parse_bibtex, "csl-json": parse_csl_json, "ids": parse_ids}
    return readers[fmt](text)


def arxiv_id_in(value: str) -> str:
    """The arXiv id in a field's value (a bare id, an ``arXiv:`` id, a URL, an arXiv DOI
    or a sentence holding one of those), else ""."""
    value = value.strip()
    parsed = parse_arxiv_id(value)
    if parsed is not None:
        return parsed.id
    match = _ARXIV_IN_TEXT.search(value)
    return match.group("id") if match else ""


def normalise_doi(value: str) -> str:
    """``10.xxxx/...`` lower-cased, from a bare DOI, ``doi:`` or a doi.org URL; else ""."""
    match = _DOI.search(value.strip())
    return match.group(1).rstrip(".,;").lower() if match else ""


def _label(key: str, position: int) -> str:
    key = key.strip()
    return key[:MAX_LABEL] if key else f"entry {position}"


def _reference(label: str, fields: dict[str, str]) -> Reference | Problem:
    """A reference from an entry's fields (lower-case names); a problem when nothing in
    them can identify a paper."""
    values = (fields.get(name, "") for name in ARXIV_FIELDS)
    arxiv_id = next((found for value in values if (found := arxiv_id_in(value))), "")
    doi = normalise_doi(fields.get("doi", ""))
    title = " ".join(fields.get("title", "").split())
    if not (arxiv_id or doi or title):
        return Problem(label, "It has no arXiv id, DOI or title to match.")
    return Reference(label, arxiv_id, doi, title)


# --- BibTeX ---------------------------------------------------------------------------


def parse_bibtex(text: str) -> Parsed:
    library = bibtexparser.parse_string(
        text, append_middleware=[middlewares.LatexDecodingMiddleware()]
    )
    result = Parsed([], [])
    for position, entry in enumerate(library.entries, start=1):
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        found = _reference(_label(entry.key, position), fields)
        _collect(result, found)
    for block in library.failed_blocks:
        result.problems.append(_failed_block(block))
    if not library.entries and not library.failed_blocks:
        raise ReferenceError("No BibTeX entry (like @article{key, ...}) was found.")
    return result


def _failed_block(block: Any) -> Problem:
    """A bibtexparser block it could not read, named by its key or its line."""
    raw = " ".join(str(block.raw).split())
    key = re.match(r"@\w+\s*[{(]\s*([^,\s]+)\s*,", raw)
    line = getattr(block, "start_line", None)
    where = key.group(1) if key else f"the entry at line {line + 1}" if line is not None else ""
    label = _label(where, 0) if where else "an entry"
    if type(block).__name__ == "DuplicateBlockKeyBlock":
        return Problem(label, "Another entry has the same key; only the first one was read.")
    reason = str(block.error).split(". Note:")[0].strip()
    if not reason:  # an unclosed brace or quote makes the parser abort the block
        reason = "an unclosed brace or quote, or a missing comma between fields"
    return Problem(label, f"Could not read this BibTeX entry: {reason[:200]}.")


# --- CSL-JSON -------------------------------------------------------------------------


def parse_csl_json(text: str) -> Parsed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReferenceError(
            f"This is not valid CSL-JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    items = data.get("items") if isinstance(data, dict) else data
    if isinstance(data, dict) and items is None:
        items = [data]  # a single item
    if not isinstance(items, list):
        raise ReferenceError("CSL-JSON must be a list of items ([{...}, ...]).")
    result = Parsed([], [])
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            result.problems.append(Problem(f"entry {position}", "It is not a JSON object."))
            continue
        fields = {str(k).lower(): _csl_text(v) for k, v in item.items()}
        _collect(result, _reference(_label(fields.get("id", ""), position), fields))
    return result


def _csl_text(value: Any) -> str:
    """A CSL field as text: strings and numbers as they are, lists and objects skipped
    (authors, dates and the like identify nothing here)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


# --- a list of ids --------------------------------------------------------------------


def parse_ids(text: str) -> Parsed:
    """arXiv ids or URLs, one per line (or separated by spaces or commas)."""
    result = Parsed([], [])
    tokens = [token for token in re.split(r"[\s,;]+", text) if token]
    for token in tokens:
        arxiv_id = arxiv_id_in(token)
        label = token[:MAX_LABEL]
        if arxiv_id:
            result.references.append(Reference(label, arxiv_id=arxiv_id))
        else:
            result.problems.append(Problem(label, "This is not an arXiv id or arXiv URL."))
    return result


def _collect(result: Parsed, found: Reference | Problem) -> None:
    if isinstance(found, Reference):
        result.references.append(found)
    else:
        result.problems.append(found)
