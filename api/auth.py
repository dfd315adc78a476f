"""API authentication: personal tokens (``Authorization: Bearer …``) or the browser session.

Token requests are CSRF-exempt: a cross-site page cannot set an Authorization header.
Session requests that change something must carry the CSRF token like any form post.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from api.queries import token_by_secret
from api.services import mark_used


class TokenAuth(HttpBearer):
    """A personal API token; a wrong or revoked token is refused outright (no session fallback)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token:
            raise HttpError(401, "The Authorization header has an empty Bearer token.")
        api_token = token_by_secret(token)
        if api_token is None:
            raise HttpError(401, "This API token is not valid.")
        if api_token.is_revoked:
            raise HttpError(401, "This API token has been revoked; create a new one.")
        if not api_token.user.is_active:
            raise HttpError(401, "The account that owns this API token is disabled.")
        mark_used(api_token)
        request.user = api_token.user
        return api_token.user


class BrowserSession(APIKeyCookie):
    """The logged-in browser session; unsafe methods must pass Django's CSRF check."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, only once we know there is a user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header with the form.")
        return request.user


token_or_session = [TokenAuth(), BrowserSession()]
