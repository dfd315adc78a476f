"""Organization slugs: safe in a URL path segment, stable for a given source name.

Hugging Face organization names are slugs already (``google``, ``OpenMOSS-Team``) and are
kept as they are, so URLs match HF's. Any other name (``slash/org``, ``Université``, a name
of punctuation) becomes its ASCII ``slugify`` plus a short hash of the exact name: two
names that slugify alike still get two organizations, and the same name always gets the
same slug, so a re-import finds the organization it created.
"""

from __future__ import annotations

import hashlib
import re

from django.utils.text import slugify

MAX_LENGTH = 200
_SAFE = re.compile(r"^[-a-zA-Z0-9_]+\Z")


def is_safe_slug(value: str) -> bool:
    """Whether ``value`` can be used as an organization slug as it is."""
    return bool(_SAFE.match(value)) and len(value) <= MAX_LENGTH


def organization_slug(name: str) -> str:
    """The slug of the organization called ``name`` at its source."""
    name = name.strip()
    if is_safe_slug(name):
        return name
    digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    base = slugify(name)[: MAX_LENGTH - len(digest) - 1].strip("-_")
    return f"{base}-{digest}" if base else f"org-{digest}"
