"""A small fixed-window rate limiter on Django's cache (locmem or Redis).

Limits live in ``settings.RATE_LIMITS`` as ``scope: (max_requests, window_seconds)``.
Over the limit a view answers HTTP 429 with a readable message and a Retry-After header.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

View = Callable[..., HttpResponse]


def client_ip(request: HttpRequest) -> str:
    """The peer address; a reverse proxy must pass the real one in REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR", "unknown")


def _identity(request: HttpRequest, by: str) -> str:
    if by == "user" and request.user.is_authenticated:
        return f"u{request.user.pk}"
    return f"ip{client_ip(request)}"


def hit(scope: str, identity: str, now: float | None = None) -> int:
    """Count a request of ``identity`` in ``scope``; seconds to wait if over the limit, else 0."""
    limit, window = settings.RATE_LIMITS[scope]
    now = time.time() if now is None else now
    bucket = int(now // window)
    key = f"ratelimit:{scope}:{identity}:{bucket}"
    # add() is atomic: only the first request of the window creates the counter.
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        return max(1, int((bucket + 1) * window - now))
    return 0


def too_many_requests(request: HttpRequest, scope: str, retry_after: int) -> HttpResponse:
    """The 429 page (or a short text body for htmx swaps)."""
    limit, window = settings.RATE_LIMITS[scope]
    message = (
        f"Too many {scope.replace('_', ' ')} requests: the limit is {limit} per "
        f"{_human_window(window)}. Please try again in {retry_after} seconds."
    )
    if getattr(request, "htmx", False):
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    else:
        body = render_to_string("community/429.html", {"message": message}, request=request)
        response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _human_window(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "hour" if hours == 1 else f"{hours} hours"
    if seconds % 60 == 0:
        minutes = seconds // 60
        return "minute" if minutes == 1 else f"{minutes} minutes"
    return f"{seconds} seconds"


def ratelimit(scope: str, by: str = "user", methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Decorate a view: requests with a method in ``methods`` count toward ``scope``.

    ``by="user"`` counts per logged-in user (falling back to IP); ``by="ip"`` per client IP.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                retry_after = hit(scope, _identity(request, by))
                if retry_after:
                    return too_many_requests(request, scope, retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
