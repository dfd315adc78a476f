"""Parsing arXiv identifiers in both formats, with or without a version or a URL around them.

New style: ``2401.01234`` / ``2401.01234v2`` (4 or 5 digits after the dot since 2015).
Old style: ``hep-th/9901001`` / ``math.GT/0309136v1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NEW_ID = r"\d{4}\.\d{4,5}"
OLD_ID = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}"
ID_WITH_VERSION = rf"(?P<id>{NEW_ID}|{OLD_ID})(?:v(?P<version>\d+))?"
# Used by URL patterns: matches ids with an optional version, nothing else.
URL_PATTERN = rf"(?:{NEW_ID}|{OLD_ID})(?:v\d+)?"

_BARE = re.compile(rf"^{ID_WITH_VERSION}$")
_URL = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.)?(?:arxiv\.org|huggingface\.co/papers)"
    rf"(?:/(?:abs|pdf|html))?/{ID_WITH_VERSION}(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"^arxiv:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class ArxivId:
    id: str
    version: int | None = None

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId | None:
    """The arXiv id in ``text`` (a bare id, ``arXiv:`` id, or an arxiv.org/HF URL), else None."""
    value = _PREFIX.sub("", text.strip())
    match = _BARE.match(value) or _URL.match(value)
    if not match:
        return None
    version = match.group("version")
    return ArxivId(match.group("id"), int(version) if version else None)
