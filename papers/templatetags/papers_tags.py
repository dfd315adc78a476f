"""Small display helpers for paper cards and feed pages (``{% load papers_tags %}``)."""

from __future__ import annotations

import zlib
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from papers.cards import PaperCard
from papers.periods import Period

register = template.Library()

CARD_AUTHORS = 3
_ROUTES = {"day": "papers:day", "week": "papers:week", "month": "papers:month"}


@register.filter
def period_url(period: Period) -> str:
    """The feed URL of a day, week or month."""
    return reverse(_ROUTES[period.kind], args=[period.slug])


@register.simple_tag
def card_authors(paper: PaperCard, limit: int = CARD_AUTHORS) -> dict[str, Any]:
    """The first ``limit`` authorships of a card and how many there are in all."""
    return {"shown": paper.authorships[:limit], "total": len(paper.authorships)}


@register.filter
def compact(number: int | None) -> str:
    """1234 → '1.2k', like GitHub star counts."""
    if number is None:
        return ""
    if abs(number) < 1000:
        return str(number)
    if abs(number) < 1_000_000:
        return f"{number / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    return f"{number / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"


@register.filter
def hue(text: str) -> int:
    """A stable hue (0-359) for a generated placeholder, so remote thumbnails are not needed."""
    return zlib.crc32(str(text).encode()) % 360


@register.filter
def host(url: str) -> str:
    """'https://www.example.org/x' → 'example.org' for link labels."""
    netloc = str(url).split("://", 1)[-1].split("/", 1)[0]
    return netloc.removeprefix("www.")


# Inline SVG icons (no icon font, no network); drawn with currentColor so they follow the theme.
_ICONS = {
    "up": '<path d="M8 3l5 6H3z"/>',
    "comment": (
        '<path d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" fill="none" stroke="currentColor" '
        'stroke-width="1.4" stroke-linejoin="round"/>'
    ),
    "star": '<path d="M8 1.8l1.9 3.9 4.3.6-3.1 3 .7 4.3L8 11.6l-3.8 2 .7-4.3-3.1-3 4.3-.6z"/>',
    "left": (
        '<path d="M10 3L5 8l5 5" fill="none" stroke="currentColor" stroke-width="1.8" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
    ),
    "right": (
        '<path d="M6 3l5 5-5 5" fill="none" stroke="currentColor" stroke-width="1.8" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
    ),
    "doc": (
        '<path d="M4 1.5h5.5L12.5 4.5v10h-8.5z M9.5 1.5v3h3" fill="none" '
        'stroke="currentColor" stroke-width="1.3" stroke-linejoin="round"/>'
    ),
    "link": (
        '<path d="M6.5 9.5l3-3M7 4.5l1.2-1.2a2.5 2.5 0 0 1 3.5 3.5L10.5 8M9 11.5l-1.2 1.2a2.5 '
        '2.5 0 0 1-3.5-3.5L5.5 8" fill="none" stroke="currentColor" stroke-width="1.4" '
        'stroke-linecap="round"/>'
    ),
    "code": (
        '<path d="M5.5 4.5L2 8l3.5 3.5M10.5 4.5L14 8l-3.5 3.5" fill="none" '
        'stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/>'
    ),
}


@register.simple_tag
def icon(name: str) -> str:
    """A 16px decorative inline SVG icon (hidden from screen readers)."""
    # Constant markup from _ICONS, never user input, so marking it safe is sound.
    return mark_safe(
        '<svg class="icon" viewBox="0 0 16 16" width="16" height="16" fill="currentColor" '
        f'aria-hidden="true" focusable="false">{_ICONS[name]}</svg>'
    )
