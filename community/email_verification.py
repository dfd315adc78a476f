"""Signed links that prove an account's address (mailed at sign-up and on request).

A link carries the account id and a fingerprint of its current address, signed with
SECRET_KEY (``django.core.signing``), like the digest confirmation links: it works without
logging in, cannot be forged, expires after ``EMAIL_VERIFICATION_MAX_AGE_SECONDS``, and
stops working when the account's address changes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing

SALT = "community.verify-email"


class VerificationError(Exception):
    """A link that cannot be honoured; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def fingerprint(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:20]


def make_token(user: Any) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{user.pk}.{fingerprint(user.email)}")


def read_token(token: str) -> Any:
    """The account a link verifies; raises VerificationError (400 forged, 410 stale)."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        payload = signer.unsign(token, max_age=settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise VerificationError(
            "This link has expired. Log in and ask for a new one on your profile page.", 410
        ) from None
    except signing.BadSignature:
        raise VerificationError(
            "This link is not valid: it may have been cut. Copy the whole link from the email.",
            400,
        ) from None
    pk, _, print_ = payload.partition(".")
    user = get_user_model().objects.filter(pk=int(pk) if pk.isdigit() else 0).first()
    if user is None or not user.email or fingerprint(user.email) != print_:
        raise VerificationError("This link is for an address the account no longer has.", 410)
    return user
