"""Rate limits for API endpoints: the same counters and messages as the HTML pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import HttpError

from community.ratelimit import hit, identity, limit_message


def rate_limited(request: HttpRequest, scope: str, by: str = "user") -> None:
    """Count the request in ``scope``; over the limit raise a JSON 429 with the limiter's message.

    ``by="user"`` counts per authenticated user (else per client address), ``by="ip"`` per
    client address (``community.ratelimit.client_ip``).
    """
    wait = hit(scope, identity(request, by))
    if wait:
        raise HttpError(429, limit_message(scope, wait))
