"""``{% paper_library paper %}``: the paper page's "Cite" block and the viewer's private note."""

from __future__ import annotations

import json
from typing import Any

from django import template

from library import citations, queries

register = template.Library()


@register.inclusion_tag("library/_paper_tools.html", takes_context=True)
def paper_library(context: template.Context, paper: Any) -> dict[str, Any]:
    card = queries.cards_of([paper])[0]
    user = context["request"].user
    return {
        "paper": paper,
        "user": user,
        "bibtex": citations.to_bibtex([card]),
        "csl_json": json.dumps(citations.to_csl_json([card]), ensure_ascii=False, indent=2),
        "note": queries.note_of(user, paper.pk),
        "csrf_token": context.get("csrf_token"),
    }
