"""Cleaning of untrusted text, shared by every entry point and output layer.

- ``clean_text``: what may be stored and shown. Control characters other than tab and line
  breaks, lone surrogates and the non-characters U+FFFE/U+FFFF are removed: XML 1.0 (RSS,
  Atom) cannot carry them, PostgreSQL refuses NUL, and none of them is visible text.
  Importers, forms, API schemas and services call it before validating lengths, so a value
  made only of such characters counts as empty.
- ``safe_url``: an absolute http(s) URL, or None (``javascript:``, ``data:`` and the like).
- ``terminal_safe``: text for a terminal, without escape sequences (CSI, OSC, ...) or other
  C0/C1 controls, so data printed by the CLI cannot retitle, clear or recolour the screen.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# C0 controls but tab, line feed and carriage return; DEL and the C1 block; surrogates
# (only lone ones reach a Python str); the two non-characters XML forbids.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# Terminal escape sequences: CSI (ESC [ or U+009B, parameters, one final byte), OSC / DCS /
# SOS / PM / APC strings (up to BEL or ST), and two-character ESC sequences.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TERMINAL_CONTROL_NO_CR = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")

_WHITESPACE = re.compile(r"\s")
MAX_URL_LENGTH = 500
_URL_SCHEMES = ("http", "https")


def clean_text(value: str) -> str:
    """``value`` without the characters that can be neither stored everywhere nor shown."""
    return _UNSTORABLE.sub("", value)


def clean_optional(value: str | None) -> str | None:
    """``clean_text`` that passes None through (optional API fields)."""
    return None if value is None else clean_text(value)


def safe_url(
    value: str | None, max_length: int = MAX_URL_LENGTH, *, allow_path: bool = False
) -> str | None:
    """``value`` if it is an absolute http(s) URL with a host (or, with ``allow_path``, a
    path on the same host such as HF's "/avatars/x.svg"), without whitespace or control
    characters, of at most ``max_length`` characters; else None."""
    if not value or len(value) > max_length or clean_text(value) != value:
        return None
    if _WHITESPACE.search(value) or "\\" in value:
        return None
    if allow_path and value.startswith("/") and not value.startswith("//"):
        return value
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    if parts.scheme.lower() not in _URL_SCHEMES or not parts.hostname:
        return None
    return value


def terminal_safe(text: str, *, keep_carriage_return: bool = False) -> str:
    """``text`` without terminal escape sequences and control characters (tab and line
    feed kept; carriage return only when asked, for progress bars that redraw a line)."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    controls = _TERMINAL_CONTROL_NO_CR if keep_carriage_return else _TERMINAL_CONTROL
    return controls.sub("", text)
