"""One sign-in limiter for every way to log in (site form, admin form, any ``authenticate()``).

Failed attempts are counted from Django's ``user_login_failed`` signal, per account (the
username, case-folded) and per client address, in the ``login`` rate-limit scope. While
either counter is at its limit the authentication backend refuses the attempt before
checking the password, so a correct password is refused too until the window ends; the
login views answer HTTP 429 with the limiter's message instead of "wrong password".
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from community.ratelimit import blocked, hit, identity, too_many_requests

SCOPE = "login"


def _identities(request: HttpRequest | None, username: str | None) -> list[str]:
    found = []
    if username:
        digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
        found.append(f"account:{digest}")
    if request is not None:
        found.append(identity(request, "ip"))
    return found


def login_blocked(request: HttpRequest | None, username: str | None) -> int:
    """Seconds until ``username`` (or this client) may try to sign in again; 0 when it may."""
    return max((blocked(SCOPE, key) for key in _identities(request, username)), default=0)


@receiver(user_login_failed, dispatch_uid="community.count_failed_login")
def count_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Every failed ``authenticate()`` counts against the account and the client address."""
    for key in _identities(request, credentials.get("username")):
        hit(SCOPE, key)


class RateLimitedModelBackend(ModelBackend):
    """Django's username/password backend, refusing sign-ins over the ``login`` limit."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if login_blocked(request, username):
            # PermissionDenied stops authenticate() at once (no other backend is tried).
            raise PermissionDenied("Too many failed sign-ins; try again later.")
        return super().authenticate(request, username=username, password=password, **kwargs)


def refuse_locked_login(request: HttpRequest) -> HttpResponse | None:
    """The 429 answer for a sign-in POST while its account or client is locked, else None."""
    if request.method != "POST":
        return None
    wait = login_blocked(request, request.POST.get("username"))
    return too_many_requests(request, SCOPE, wait) if wait else None
