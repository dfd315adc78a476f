"""A small fixed-window rate limiter on Django's cache (locmem or Redis), and the client address.

Limits live in ``settings.RATE_LIMITS`` as ``scope: (max_requests, window_seconds)``.
Over the limit a view answers HTTP 429 with a readable message and a Retry-After header.
Counters live in the default cache: with the local-memory cache every process counts on its
own (N processes allow N times the limit), so production runs with Redis (``REDIS_URL``).
"""

from __future__ import annotations

import functools
import ipaddress
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

View = Callable[..., HttpResponse]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(address: IPAddress | None) -> bool:
    return address is not None and any(address in net for net in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str:
    """The client's address: the peer, or, when the peer is a trusted proxy, the address it saw.

    ``X-Forwarded-For`` is read only when ``REMOTE_ADDR`` is in ``TRUSTED_PROXIES``; it is
    walked from the right (the entries our own proxies appended) skipping trusted hops, so a
    client cannot choose its address by sending the header itself. Every rate limit and log
    line that names a client uses this function.
    """
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
    if not _is_trusted(_parse_ip(peer)):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    client = peer
    for hop in reversed([hop for hop in hops if hop]):
        address = _parse_ip(hop)
        if address is None:
            break  # not written by a proxy of ours: keep the last address a trusted hop saw
        client = str(address)
        if not _is_trusted(address):
            break
    return client


def identity(request: HttpRequest, by: str) -> str:
    """The rate-limit key of a request: the logged-in user (``by="user"``) or the client address."""
    if by == "user" and request.user.is_authenticated:
        return f"u{request.user.pk}"
    return f"ip{client_ip(request)}"


def _counter(scope: str, identity: str, now: float) -> tuple[str, int, int, float]:
    """The cache key of the current window, its limit, its length and its end."""
    limit, window = settings.RATE_LIMITS[scope]
    bucket = int(now // window)
    return f"ratelimit:{scope}:{identity}:{bucket}", limit, window, (bucket + 1) * window


def _wait(end: float, now: float) -> int:
    return max(1, int(end - now))


def hit(scope: str, identity: str, now: float | None = None) -> int:
    """Count a request of ``identity`` in ``scope``; seconds to wait if over the limit, else 0."""
    now = time.time() if now is None else now
    key, limit, window, end = _counter(scope, identity, now)
    # add() is atomic: only the first request of the window creates the counter.
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window + 1)
            count = 1
    return _wait(end, now) if count > limit else 0


def blocked(scope: str, identity: str, now: float | None = None) -> int:
    """Seconds to wait when ``identity`` has used up ``scope`` in this window, else 0 (no count)."""
    now = time.time() if now is None else now
    key, limit, _, end = _counter(scope, identity, now)
    return _wait(end, now) if (cache.get(key) or 0) >= limit else 0


def limit_message(scope: str, retry_after: int) -> str:
    """The sentence every 429 answer (page, htmx fragment, API error) carries."""
    limit, window = settings.RATE_LIMITS[scope]
    return (
        f"Too many {scope.replace('_', ' ')} requests: the limit is {limit} per "
        f"{_human_window(window)}. Please try again in {retry_after} seconds."
    )


def too_many_requests(request: HttpRequest, scope: str, retry_after: int) -> HttpResponse:
    """The 429 page (or a short text body for htmx swaps)."""
    message = limit_message(scope, retry_after)
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
                retry_after = hit(scope, identity(request, by))
                if retry_after:
                    return too_many_requests(request, scope, retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
