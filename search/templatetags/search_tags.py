"""Template tags for search features on other apps' pages and the search page itself."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from search import service
from search.params import ParsedParams

register = template.Library()
log = logging.getLogger(__name__)


@register.simple_tag(takes_context=True)
def similar_papers(context, paper, limit: int = 8) -> SafeString:
    """A "Similar papers" section for ``paper`` (empty when there is no vector index yet),
    ordered by the page's ``?similar=`` (relevance, newest or upvotes)."""
    request = context.get("request")
    sort = request.GET.get("similar", "relevance") if request is not None else "relevance"
    sort = sort if sort in service.SORTS else "relevance"
    try:
        papers = service.similar_papers(paper, limit, sort)
    except Exception:  # a missing or broken index must not break the paper page
        log.exception("similar papers failed for %s", getattr(paper, "arxiv_id", paper))
        papers = []
    sorts = [("relevance", "Most similar"), ("newest", "Newest"), ("upvotes", "Most upvoted")]
    html = render_to_string(
        "search/_similar.html", {"papers": papers, "paper": paper, "sort": sort, "sorts": sorts}
    )
    return mark_safe(html)


@register.simple_tag
def search_url(params: ParsedParams, **changes) -> str:
    """The search URL for ``params`` with some parameters changed (e.g. page)."""
    q = params.query
    values = {
        "q": q.q,
        "mode": q.mode,
        "sort": q.sort,
        "from": q.date_from.isoformat() if q.date_from else "",
        "to": q.date_to.isoformat() if q.date_to else "",
        "org": q.organization or "",
        "code": "1" if q.has_code else "",
        "daily": "1" if q.daily_only else "",
        "page": params.page,
    }
    values.update(changes)
    return "/papers/search?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})
