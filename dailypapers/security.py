"""The Content-Security-Policy header (Django 5.2 has no built-in CSP).

Pages have no inline scripts and no remote resources: scripts, styles and fonts come from
/static/, the favicon is a data: URI, htmx talks to this site only. So the policy allows
'self' and nothing else, with two reasoned exceptions:

- ``style-src-attr 'unsafe-inline'``: cards and avatars carry a ``style="--hue: N"``
  attribute (a colour derived from the title). An inline style attribute cannot run code,
  and ``<style>`` elements stay forbidden.
- ``img-src data:``: the favicon, and Swagger UI's icons at /api/docs (Swagger UI and the
  admin otherwise need nothing beyond 'self': their scripts and styles are static files).

A view may set its own ``Content-Security-Policy`` header; it is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def _policy() -> str:
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "style-src-attr": "'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


PAGE_POLICY = _policy()


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CSP_ENABLED and HEADER not in response:
            response[HEADER] = PAGE_POLICY
        return response
