"""Who is an operator: may see ``/metrics`` and the checks of ``/healthz``."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest

from community.ratelimit import client_ip

_PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def is_operator(request: HttpRequest) -> bool:
    """May this request see operational details (``/metrics``, the checks of ``/healthz``)?

    With ``METRICS_TOKEN`` set it must carry ``Authorization: Bearer <token>``. Without it
    only a direct request from this machine qualifies: a loopback client address and no
    proxy header, because a reverse proxy on the same host also connects from loopback.
    """
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        )
    if any(header in request.headers for header in _PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False
