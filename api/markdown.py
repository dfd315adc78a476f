"""A paper page as Markdown (``/papers/<id>.md``, ``dailypapers papers read``).

Meant for people reading in a terminal and for LLM tools: the same facts as the HTML page,
in a plain layout with absolute links.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from papers.cards import PaperCard, latest_entry


def paper_markdown(paper: PaperCard) -> str:
    """The Markdown text of ``paper``'s page."""
    entry = latest_entry(paper)
    context = {
        "paper": paper,
        "authors": [a.author.name for a in paper.authorships if not a.hidden],
        "entry": entry,
        "submitter": entry.submitter_display if entry else "",
        "page_url": settings.SITE_URL + paper.get_absolute_url(),
        "keywords": ", ".join(str(k) for k in paper.ai_keywords or []),
        "comments": _comments(paper),
    }
    text = render_to_string("api/paper.md", context)
    return _squeeze_blank_lines(text)


def _comments(paper: PaperCard) -> list[dict[str, object]]:
    """The visible discussion, replies after their comment, as author/date/text."""
    from community.queries import paper_comments

    shown = []
    for comment in paper_comments(paper):
        thread = [comment, *comment.replies.all()]
        shown += [
            {
                "author": c.author.username if c.author else "[deleted]",
                "date": f"{c.created_at:%Y-%m-%d}",
                "text": c.body,
                "reply": c is not comment,
            }
            for c in thread
            if c.is_visible
        ]
    return shown


def _squeeze_blank_lines(text: str) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"
