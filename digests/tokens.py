"""Signed links for subscriptions: confirm (expiring), manage and unsubscribe (long-lived).

Tokens are ``django.core.signing`` values carrying the subscription id and its random
``secret``, so a link works without logging in, cannot be forged without SECRET_KEY, and
can be revoked by rotating the secret. Each purpose has its own salt: a manage link
cannot be replayed as a confirmation and vice versa.
"""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.core import signing

from digests.models import Subscription

Purpose = Literal["confirm", "manage"]


class TokenError(Exception):
    """A link that cannot be honoured; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def make_token(subscription: Subscription, purpose: Purpose) -> str:
    """A URL-safe signed token for ``subscription``."""
    payload = f"{subscription.pk}.{subscription.secret}"
    return signing.TimestampSigner(salt=f"digests.{purpose}").sign(payload)


def read_token(token: str, purpose: Purpose) -> Subscription:
    """The subscription a token names; raises TokenError (400 forged, 410 expired/gone)."""
    signer = signing.TimestampSigner(salt=f"digests.{purpose}")
    max_age = settings.DIGEST_CONFIRM_MAX_AGE_SECONDS if purpose == "confirm" else None
    try:
        payload = signer.unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise TokenError(
            "This confirmation link has expired. Subscribe again to get a fresh one.", 410
        ) from None
    except signing.BadSignature:
        raise TokenError(
            "This link is not valid: it may have been cut or altered. "
            "Copy the whole link from the email.",
            400,
        ) from None
    return _subscription_for(payload)


def _subscription_for(payload: str) -> Subscription:
    pk, _, secret = payload.partition(".")
    subscription = Subscription.objects.filter(pk=int(pk) if pk.isdigit() else 0).first()
    if subscription is None or subscription.secret != secret:
        # Deleted or secret rotated: the link was genuine once but no longer applies.
        raise TokenError("This link is no longer valid. Subscribe again if you wish.", 410)
    return subscription
