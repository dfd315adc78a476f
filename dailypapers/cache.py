"""Caching of anonymous pages and shared API data, invalidated by what they depend on.

Every cached entry names its dependencies as *tags*, known before it is computed:

- ``catalog``: everything (imports, submissions, curation, deletions, admin edits); every
  entry depends on it.
- ``paper:<arXiv id>``: one paper's counts, discussion and card.
- ``feed:<YYYY-MM-DD>``: which papers a day's feed lists, and in what order;
  ``feed:latest`` the same for the latest day that has papers (``/papers``).
- ``author:<slug>``, ``org:<slug>``: the lists of an author's or organization's papers.
- ``trending``: the trending ranking.

A tag has a version, a random token in the database (``ContentVersion``, one row per tag
ever invalidated), so every worker process and machine agrees on it whatever the cache
backend (per-process local memory included). An entry stores the versions of its tags as
they were before it was computed; a hit is served only while they are unchanged, which costs
one indexed query. Writers say what they changed: services call :func:`invalidate` (an
upvote: its paper, the days it is listed on, its authors and organization, trending), and
``papers_changed`` plus model signals on papers, entries, authors and organizations
invalidate ``catalog``. Nothing is deleted from the cache; stale entries expire
(``CACHE_TIMEOUT``).

Pages carry no per-visitor token: htmx reads the CSRF cookie (``site.js``), so a cached
anonymous page is the same bytes for everyone. A page that does contain a CSRF form field
is not cached. A cache outage degrades to no caching, never to an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

logger = logging.getLogger(__name__)
T = TypeVar("T")

CATALOG = "catalog"
TRENDING = "trending"
LATEST_FEED = "feed:latest"
# Deps of a page: a function of the request and the view's URL arguments.
Deps = Callable[..., Iterable[str]]


def paper_tag(arxiv_id: str) -> str:
    return f"paper:{arxiv_id}"


def feed_tag(date: dt.date) -> str:
    return f"feed:{date.isoformat()}"


def feed_tags(start: dt.date, end: dt.date) -> list[str]:
    """The feed tags of the days from ``start`` to ``end``."""
    return [feed_tag(start + dt.timedelta(days=n)) for n in range((end - start).days + 1)]


def author_tag(slug: str) -> str:
    return f"author:{slug}"


def org_tag(slug: str) -> str:
    return f"org:{slug}"


def _row_key(tag: str) -> str:
    """The ``ContentVersion`` key of a tag (long slugs are hashed to fit the column)."""
    return tag if len(tag) <= 32 else "h:" + hashlib.sha256(tag.encode()).hexdigest()[:30]


# --------------------------------------------------------------------------- versions


def invalidate(*tags: str) -> None:
    """Give these tags new versions: every entry that depends on one is recomputed.

    Call it inside the writing transaction (or right after it commits)."""
    from dailypapers.models import ContentVersion

    keys = sorted({_row_key(t) for t in tags})
    rows = [ContentVersion(key=key, value=secrets.randbits(62)) for key in keys]
    ContentVersion.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["key"], update_fields=["value"]
    )


def versions(tags: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """The current versions of ``catalog`` and these tags (one query), as a comparable value.

    ``catalog`` gets a random first version, so entries cached for another database (a
    restore, a fresh test database) never match."""
    from dailypapers.models import ContentVersion

    keys = sorted({_row_key(t) for t in (CATALOG, *tags)})
    found = dict(ContentVersion.objects.filter(key__in=keys).values_list("key", "value"))
    if CATALOG not in found:
        invalidate(CATALOG)
        return versions(tags)
    return tuple((key, found.get(key, 0)) for key in keys)


def paper_tags(paper_ids: Iterable[int]) -> list[str]:
    """Every tag a change to these papers' counts or discussion affects (4 queries)."""
    from papers.models import DailyEntry, Paper, PaperAuthor

    ids = list(paper_ids)
    tags: list[str] = []
    # order_by(): the models' default orderings would add joins and sorting for nothing.
    papers = Paper.objects.filter(pk__in=ids).order_by()
    for arxiv_id, org_slug in papers.values_list("arxiv_id", "organization__slug"):
        tags.append(paper_tag(arxiv_id))
        if org_slug:
            tags.append(org_tag(org_slug))
    authors = PaperAuthor.objects.filter(paper_id__in=ids).order_by()
    tags += [author_tag(slug) for slug in authors.values_list("author__slug", flat=True)]
    entries = DailyEntry.objects.filter(paper_id__in=ids).order_by()
    dates = set(entries.values_list("date", flat=True))
    tags += [feed_tag(date) for date in dates]
    # On the latest feed day when no visible entry is later (an index range probe).
    if dates and not DailyEntry.objects.filter(hidden=False, date__gt=max(dates)).exists():
        tags.append(LATEST_FEED)
    return tags


def _catalog_changed(**_kwargs: Any) -> None:
    invalidate(CATALOG)


def connect() -> None:
    """Invalidate ``catalog`` on imports, curation and admin edits or deletions."""
    from django.db.models.signals import post_delete, post_save

    from papers.models import Author, DailyEntry, Organization, Paper, PaperAuthor
    from papers.signals import papers_changed

    papers_changed.connect(_catalog_changed, dispatch_uid="dailypapers.cache.papers")
    for model in (Paper, DailyEntry, PaperAuthor, Author, Organization):
        for signal in (post_save, post_delete):
            signal.connect(
                _catalog_changed, sender=model, dispatch_uid=f"dailypapers.cache.{model.__name__}"
            )


# --------------------------------------------------------------------------- data


def _timeout() -> int:
    return int(getattr(settings, "CACHE_TIMEOUT", 600))


def _key(namespace: str, *parts: object) -> str:
    """A cache key for ``parts`` in this hour (pages show "today" and ages like "3 hours ago")."""
    raw = "|".join(str(p) for p in parts)
    digest = hashlib.sha256(raw.encode()).hexdigest()[:40]
    hour = timezone.now().astimezone(dt.UTC).strftime("%Y%m%d%H")
    return f"dp:{namespace}:{hour}:{digest}"


def _lookup(key: str, tags: Iterable[str]) -> tuple[Any, tuple]:
    """(the value cached under ``key`` if its tags are unchanged, else None; the versions)."""
    current = versions(tags)
    hit = cache.get(key)
    if hit is not None and hit[0] == current:
        return hit[1], current
    return None, current


def _safe_set(key: str, value: Any) -> None:
    try:
        cache.set(key, value, _timeout())
    except Exception as exc:
        logger.warning("cache set failed (%s); continuing without cache", exc)


def cached_data(
    namespace: str, parts: tuple[object, ...], tags: Iterable[str], compute: Callable[[], T]
) -> T:
    """``compute()``'s value, cached under ``parts`` until one of ``tags`` (or ``catalog``)
    changes. Only for data that is the same for every user (e.g. an API listing)."""
    if _timeout() <= 0:
        return compute()
    key = _key(namespace, *parts)
    try:
        hit, current = _lookup(key, tags)
    except Exception as exc:  # a cache outage must not take the site down
        logger.warning("cache get failed (%s); computing without cache", exc)
        return compute()
    if hit is not None:
        return hit
    value = compute()
    _safe_set(key, (current, value))
    return value


# --------------------------------------------------------------------------- pages

_KEY_HEADERS = (
    "HTTP_HX_REQUEST",
    "HTTP_HX_TARGET",
    "HTTP_HX_BOOSTED",
    "HTTP_HX_HISTORY_RESTORE_REQUEST",
)
# The name of the hidden field Django's {% csrf_token %} renders.
_CSRF_FIELD = b'name="csrfmiddlewaretoken"'


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or _timeout() <= 0:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False  # a session may carry a login or flash messages: personal output
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _cacheable_response(response: HttpResponse) -> bool:
    if response.status_code != 200 or getattr(response, "streaming", False):
        return False
    if set(response.cookies) - {settings.CSRF_COOKIE_NAME}:
        return False
    if _CSRF_FIELD in response.content:
        return False  # a per-visitor token in the page
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def _page_key(request: HttpRequest) -> str:
    headers = [request.META.get(h, "") for h in _KEY_HEADERS]
    return _key("page", request.get_full_path(), request.method == "HEAD", *headers)


def cache_anonymous_page(deps: Deps) -> Callable[[Callable[..., HttpResponse]], Callable]:
    """Serve the decorated view's page from the cache for anonymous visitors while the tags
    ``deps(request, **url_kwargs)`` name are unchanged. Pages for signed-in users (their vote
    state, their name) are always rendered fresh."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            key = _page_key(request)
            try:
                hit, current = _lookup(key, deps(request, **kwargs))
            except Exception as exc:
                logger.warning("page cache unavailable (%s); rendering", exc)
                return view(request, *args, **kwargs)
            # htmx sends the CSRF cookie's value as a header: every visitor gets the cookie.
            get_token(request)
            if hit is not None:
                content_type, body = hit
                response = HttpResponse(body, content_type=content_type)
                response["X-Cache"] = "hit"
                return response
            return _render_and_store(view, request, args, kwargs, (key, current))

        return wrapper

    return decorate


def _render_and_store(
    view: Callable[..., HttpResponse], request: HttpRequest, args: tuple, kwargs: dict, slot: tuple
) -> HttpResponse:
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response = response.render()
    if _cacheable_response(response):
        key, current = slot
        _safe_set(key, (current, (response.get("Content-Type", "text/html"), response.content)))
        response["X-Cache"] = "miss"
    return response
