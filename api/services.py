"""Writes for the API app: creating, revoking and recording the use of API tokens."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from api.models import ApiToken, hash_token

TOKEN_PREFIX = "dp_"
PREFIX_LENGTH = 10
# Recording every request would turn each API read into a database write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def create_token(user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the secret, which is never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100] or "API token",
        prefix=secret[:PREFIX_LENGTH],
        token_hash=hash_token(secret),
    )
    return token, secret


def revoke_token(user: AbstractBaseUser, token_id: int) -> bool:
    """Revoke one of ``user``'s tokens; False when it does not exist or is not theirs."""
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return updated == 1 or ApiToken.objects.filter(pk=token_id, user=user).exists()


def mark_used(token: ApiToken) -> None:
    """Record that ``token`` was just used (at most once a minute per token)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
