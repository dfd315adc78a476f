"""Every response under /api/ that is an error is JSON ``{"error": ...}``, whoever made it.

The API's own handlers (``api.errors``) cover what reaches a view. This middleware covers
the rest: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (a 413 before the body is read, or
when Django refuses it while reading), an exception no handler knew (a 500, logged as
Django logs them), and any HTML error page from another layer (CSRF 403, Django's 400).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from api.errors import error_response

API_PREFIX = "/api/"
log = logging.getLogger("django.request")
_REPLACED_HEADERS = {"content-type", "content-length"}


def _too_big() -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(f"The request body is too large ({limit:,} bytes at most).", 413)


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if _declared_length(request) > (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or float("inf")):
            return _too_big()
        return _as_json(self.get_response(request))

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exc, RequestDataTooBig):
            return _too_big()
        log.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exc,
            extra={"status_code": 500, "request": request},
        )
        return error_response("Internal error; it was logged. Please try again later.", 500)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _message(response: HttpResponse) -> str:
    """A plain-text error body is already a sentence for people; an HTML page gives its
    status phrase."""
    if response.get("Content-Type", "").startswith("text/plain") and not response.streaming:
        text = response.content.decode(response.charset or "utf-8", "replace").strip()
        if text:
            return text[:500]
    try:
        return f"{HTTPStatus(response.status_code).phrase}."
    except ValueError:
        return "Error."


def _as_json(response: HttpResponse) -> HttpResponse:
    """``response``, or a JSON error with its status and headers when it is an HTML one."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(
        "application/json"
    ):
        return response
    replacement = error_response(_message(response), response.status_code)
    for name, value in response.items():
        if name.lower() not in _REPLACED_HEADERS:
            replacement[name] = value
    return replacement
