"""ORCID iD validation: format ``0000-0002-1825-0097`` plus its ISO 7064 mod 11-2 check digit."""

from __future__ import annotations

import re

_ORCID = re.compile(
    r"^(?:https?://(?:www\.)?orcid\.org/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$",
    re.IGNORECASE,
)


class OrcidError(ValueError):
    """Not an ORCID iD; the message says why."""


def check_digit(base_digits: str) -> str:
    """The ISO 7064 11,2 check character for the first 15 digits of an ORCID iD."""
    total = 0
    for char in base_digits:
        total = (total + int(char)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalize_orcid(value: str) -> str:
    """The canonical ``dddd-dddd-dddd-dddX`` form of ``value`` (bare or orcid.org URL).

    Raises OrcidError with a readable message when the format or checksum is wrong.
    """
    match = _ORCID.match(value.strip())
    if not match:
        raise OrcidError("An ORCID iD looks like 0000-0002-1825-0097 (16 digits, last may be X).")
    groups = [group.upper() for group in match.groups()]
    digits = "".join(groups)
    if check_digit(digits[:15]) != digits[15]:
        raise OrcidError(f"{value.strip()[:40]} is not a valid ORCID iD: its check digit is wrong.")
    return "-".join(groups)
