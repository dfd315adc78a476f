"""Comment Markdown -> safe HTML.

markdown-it renders CommonMark with raw HTML disabled (so ``<script>`` stays text), then
nh3 keeps only an allowlist of tags and attributes as a second line of defence.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {
    "p", "br", "a", "code", "pre", "em", "strong", "ul", "ol", "li", "blockquote", "hr",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def render_markdown(text: str) -> str:
    """Sanitized HTML for a comment body: links get rel="nofollow noopener", only http(s)."""
    return nh3.clean(
        _md.render(text),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )
