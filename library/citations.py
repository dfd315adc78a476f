"""Papers out: BibTeX and CSL-JSON for papers, as arXiv and Zotero write them.

A paper is cited as the arXiv preprint it is: ``@misc`` with ``eprint``, ``archivePrefix``
and ``primaryClass`` (what arXiv's own "Export BibTeX citation" gives), the arXiv DOI
``10.48550/arXiv.<id>`` and the abstract page's URL; in CSL-JSON an ``article`` (CSL's type
for preprints) with ``number = arXiv:<id>``, as Zotero exports one.

Titles are written as stored: arXiv titles already carry their LaTeX (``$\\alpha$``);
only what would break the BibTeX file itself (unbalanced braces) or a LaTeX run (a bare
``&``, ``%`` or ``#``) is escaped. bibtexparser writes the file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import bibtexparser
from bibtexparser import Library
from bibtexparser.model import Entry, Field

from papers.cards import PaperCard

_SPECIAL = re.compile(r"(?<!\\)([&%#])")
_KEY_WORD = re.compile(r"[a-z0-9]+")
_FORMAT = bibtexparser.BibtexFormat()
_FORMAT.indent = "  "
_STOP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "is", "are"}


def arxiv_doi(arxiv_id: str) -> str:
    """The DOI arXiv assigns to every paper."""
    return f"10.48550/arXiv.{arxiv_id}"


def _author_names(paper: PaperCard) -> list[str]:
    """Visible author names in order."""
    return [a.author.name for a in paper.authorships if not a.hidden]


def split_name(name: str) -> tuple[str, str]:
    """(family, given) of a display name: the last word is the family name."""
    parts = name.split()
    if len(parts) < 2:
        return name.strip(), ""
    return parts[-1], " ".join(parts[:-1])


def _ascii_word(text: str) -> str:
    words = [w for w in _KEY_WORD.findall(_fold(text)) if w not in _STOP_WORDS]
    return words[0] if words else ""


def _base_key(paper: PaperCard) -> str:
    """``lovelace2024analytical``: first author's family name, year, first title word."""
    names = _author_names(paper)
    family = _ascii_word(split_name(names[0])[0]) if names else ""
    year = str(paper.published_at.year) if paper.published_at else ""
    key = f"{family}{year}{_ascii_word(paper.title)}"
    return key or f"arxiv{re.sub(r'[^0-9a-z]', '', paper.arxiv_id.lower())}"


def citation_keys(papers: Sequence[PaperCard]) -> list[str]:
    """One key per paper, unique within the list (``…a``, ``…b`` for clashes)."""
    seen: dict[str, int] = {}
    keys = []
    for paper in papers:
        base = _base_key(paper)
        count = seen.get(base, 0)
        seen[base] = count + 1
        keys.append(base if count == 0 else f"{base}{_suffix(count)}")
    return keys


def _suffix(count: int) -> str:
    letters = ""
    while count:
        count, rest = divmod(count - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def bibtex_value(text: str) -> str:
    """``text`` safe inside a braced BibTeX value."""
    text = " ".join(text.split())
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        text = text.replace("{", "").replace("}", "")
    return _SPECIAL.sub(r"\\\1", text)


def _bibtex_entry(paper: PaperCard, key: str) -> Entry:
    names = [", ".join(p for p in split_name(n) if p) for n in _author_names(paper)]
    fields = [("title", "{" + bibtex_value(paper.title) + "}")]
    if names:
        fields.append(("author", bibtex_value(" and ".join(names))))
    if paper.published_at:
        fields += [("year", str(paper.published_at.year)), ("month", f"{paper.published_at:%b}")]
    fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
    if paper.primary_category:
        fields.append(("primaryClass", bibtex_value(paper.primary_category)))
    fields += [("doi", arxiv_doi(paper.arxiv_id)), ("url", paper.arxiv_url)]
    return Entry("misc", key, [Field(name, value) for name, value in fields])  # writer adds {}


def to_bibtex(papers: Sequence[PaperCard]) -> str:
    """A BibTeX file of ``papers`` in their order."""
    keys = citation_keys(papers)
    library = Library([_bibtex_entry(p, k) for p, k in zip(papers, keys, strict=True)])
    return bibtexparser.write_string(library, bibtex_format=_FORMAT)


def _csl_item(paper: PaperCard, key: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": key,
        "type": "article",
        "title": paper.title,
        "author": [_csl_name(n) for n in _author_names(paper)],
        "publisher": "arXiv",
        "number": f"arXiv:{paper.arxiv_id}",
        "DOI": arxiv_doi(paper.arxiv_id),
        "URL": paper.arxiv_url,
    }
    if paper.published_at:
        day = paper.published_at.date()
        item["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    if paper.abstract:
        item["abstract"] = paper.abstract
    return item


def _csl_name(name: str) -> dict[str, str]:
    family, given = split_name(name)
    return {"family": family, "given": given} if given else {"literal": family}


def to_csl_json(papers: Sequence[PaperCard]) -> list[dict[str, Any]]:
    """CSL-JSON items of ``papers`` in their order."""
    keys = citation_keys(papers)
    return [_csl_item(p, k) for p, k in zip(papers, keys, strict=True)]


def export_filename(name: str, extension: str) -> str:
    """A safe download name: ``reading-list.bib``."""
    stem = re.sub(r"[^a-z0-9]+", "-", _fold(name)).strip("-") or "papers"
    return f"{stem[:60]}.{extension}"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
