"""The search page: ``/papers/search`` (full page, or the results partial for htmx)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from community.ratelimit import ratelimit
from papers.models import Organization
from search.params import PAGE_SIZE, parse_params
from search.service import SYNTAX_HELP, search


@ratelimit("search", by="ip", methods=("GET", "HEAD"))
def search_page(request: HttpRequest) -> HttpResponse:
    """Results for ``q`` with mode tabs, filters and sort; an arXiv id redirects to the paper."""
    params = parse_params(request.GET)
    results = search(params.query)
    if results.redirect_to is not None:
        if request.htmx:
            # A redirect would swap the paper page into the results box; ask htmx to navigate.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = results.redirect_to.get_absolute_url()
            return response
        return redirect(results.redirect_to)
    pages = (results.total + PAGE_SIZE - 1) // PAGE_SIZE
    context = {
        "params": params,
        "query": params.query,
        "results": results,
        "search_q": params.query.q,
        "page": params.page,
        "pages": pages,
        "first": params.query.offset + 1,
        "last": params.query.offset + len(results.hits),
        "syntax_help": SYNTAX_HELP,
        "organizations": Organization.objects.order_by("name").values_list("slug", "name"),
        "modes": [("hybrid", "Hybrid"), ("keyword", "Keyword"), ("semantic", "Semantic")],
        "sorts": [("relevance", "Relevance"), ("newest", "Newest"), ("upvotes", "Most upvoted")],
    }
    template = "search/_results.html" if request.htmx else "search/search.html"
    return render(request, template, context)
