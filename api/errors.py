"""Every API error is JSON ``{"error": "..."}`` with a 4xx status a client can act on."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

AUTH_HINT = (
    "Authentication required: send 'Authorization: Bearer <token>' "
    "(create a token at /settings/tokens) or log in."
)


def error_response(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _location(loc: list[Any]) -> str:
    where = loc[0] if loc else ""
    field = ".".join(str(part) for part in loc[1:])
    if where == "body":
        # ninja puts the view's parameter name second (body.data.name): not the client's concern.
        field = ".".join(str(part) for part in loc[2:])
        return f"body field '{field}'" if field else "request body"
    if where in ("query", "path", "header", "cookie", "form"):
        kind = "parameter" if where in ("query", "path") else where
        return f"{where} {kind} '{field}'" if field else f"{where} parameters"
    return f"'{'.'.join(str(part) for part in loc)}'"


def validation_message(errors: list[dict[str, Any]]) -> str:
    """One readable sentence per pydantic error, e.g. "query parameter 'limit': …"."""
    parts = []
    for error in errors:
        msg = str(error.get("msg", "invalid value"))
        if error.get("type") == "json_invalid":
            parts.append("The request body is not valid JSON.")
            continue
        parts.append(f"Invalid {_location(list(error.get('loc', [])))}: {msg}.")
    return " ".join(parts) or "Invalid request."


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's ``{"detail": ...}`` errors with ``{"error": ...}`` ones."""

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(validation_message(exc.errors), 400)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(AUTH_HINT, 401)
        response["WWW-Authenticate"] = 'Bearer realm="dailypapers"'
        return response

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        response = error_response(exc.message, exc.status_code)
        if exc.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="dailypapers", error="invalid_token"'
        return response

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(str(exc) or "Not found.", 404)


def json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn ninja's plain-text 405 into a JSON error that still lists the allowed methods."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        allowed = response.get("Allow", "")
        json_response = error_response(
            f"Method {request.method} is not allowed here; use {allowed}.", 405
        )
        json_response["Allow"] = allowed
        return json_response

    return wrapper
