"""Pages of the sources app: a paper being fetched from arXiv, the "New on arXiv" list of
a day, the curators' one-click feature, and the staff status page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from community import services as community_services
from community.permissions import is_curator
from community.ratelimit import client_ip, too_many_requests
from papers.arxiv_ids import parse_arxiv_id
from papers.models import Paper
from papers.periods import PeriodError, parse_period
from papers.views import error_page
from sources import ondemand, queries
from sources.models import OnDemandFetch

Status = OnDemandFetch.Status


def missing_paper(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """``/papers/<id>`` for a valid id we lack: fetch it from arXiv (rate-limited per client)."""
    result = ondemand.request_paper(arxiv_id, f"ip{client_ip(request)}")
    if result.status == "rate_limited":
        return too_many_requests(request, "arxiv_fetch", result.retry_after)
    return _fetch_page(request, result)


def _fetch_page(request: HttpRequest, result: ondemand.Lookup) -> HttpResponse:
    if result.paper is not None:
        return redirect(result.paper.get_absolute_url())
    arxiv_url = f"https://arxiv.org/abs/{result.arxiv_id}"
    context = {"arxiv_id": result.arxiv_id, "arxiv_url": arxiv_url, "message": result.message}
    if result.status == Status.NOT_FOUND:
        return render(request, "sources/not_on_arxiv.html", context, status=404)
    if result.status == Status.UNAVAILABLE:
        return render(request, "sources/arxiv_unreachable.html", context, status=503)
    return render(request, "sources/fetching.html", context, status=202)


@never_cache
def fetch_status(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Polled by the "fetching" page: the same fragment while pending, else reload."""
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        return HttpResponse("Not an arXiv id.", status=400, content_type="text/plain")
    result = ondemand.lookup(parsed.id)
    if result.status == Status.PENDING:
        return render(request, "sources/_fetch_poll.html", {"arxiv_id": parsed.id})
    response = HttpResponse(status=200)
    response["HX-Refresh"] = "true"  # the paper page, or the page explaining what went wrong
    return response


def new_on_arxiv(request: HttpRequest, value: str) -> HttpResponse:
    """``/papers/date/D/arxiv``: that day's announcements in the followed categories."""
    try:
        period = parse_period("day", value)
    except PeriodError as exc:
        return error_page(request, 400, f"{exc}.")
    listings = list(queries.listings_on(period.start))
    on_feed = queries.featured_ids(period.start, [item.paper_id for item in listings])
    for item in listings:
        item.feed_state = on_feed.get(item.paper_id)  # None: not on the feed; True: featured
    context = {
        "period": period,
        "listings": listings,
        "categories": settings.FOLLOW_ARXIV_CATEGORIES,
        "curator": is_curator(request.user),
        "nav": "daily",
    }
    return render(request, "sources/new_on_arxiv.html", context)


@require_POST
def feature(request: HttpRequest) -> HttpResponse:
    """A curator puts a newly announced paper on the feed of its day, featured."""
    paper = get_object_or_404(Paper, arxiv_id=request.POST.get("paper", ""))
    try:
        period = parse_period("day", request.POST.get("date", ""))
    except PeriodError as exc:
        return error_page(request, 400, f"{exc}.")
    if not is_curator(request.user):
        return error_page(request, 403, "Only curators can feature papers.")
    community_services.feature_paper(request.user, paper, period.start)
    return redirect(reverse("sources:new_on_arxiv", args=[period.start.isoformat()]))


@never_cache
def status(request: HttpRequest) -> HttpResponse:
    """``/curate/sources``: each source's state (staff only)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        return error_page(request, 403, "The sources status page is for staff.")
    context = {"statuses": queries.source_statuses(), "stale_hours": settings.FOLLOW_STALE_HOURS}
    return render(request, "sources/status.html", context)
