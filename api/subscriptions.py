"""Digest subscriptions of the authenticated user under /api/subscriptions.

A new subscription still needs its address confirmed through the emailed link (double
opt-in), exactly as from the web form, under the same rate limits, and only confirming
through that link while logged in links it to the account; ``digests.services`` holds the
rules.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from api.auth import token_or_session
from api.limits import rate_limited
from api.queries import subscriptions_of
from api.schemas import CleanStr, Error
from api.serializers import subscription_json
from community.queries import email_verified
from digests import services
from digests.models import Subscription

router = Router(tags=["subscriptions"])
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 429: Error, 503: Error}


class SubscriptionIn(Schema):
    email: str | None = Field(
        None, description="Defaults to your account's address, once it is verified"
    )
    frequency: str = Field("daily", description="daily or weekly")
    size: int = Field(10, description="Papers per digest", ge=1, le=1000)
    topic: CleanStr = Field("", description="Keywords; empty for all papers", max_length=1000)


class SubscriptionUpdate(Schema):
    frequency: str | None = None
    size: int | None = Field(None, ge=1, le=1000)
    topic: CleanStr | None = Field(None, max_length=1000)


def _digest_call(action: Any) -> Any:
    try:
        return action()
    except services.SubscribeError as exc:
        raise HttpError(exc.status, exc.message) from None


def _verified_account_email(user: Any) -> str:
    """The account's address, when its owner verified it (the link mailed at sign-up)."""
    if not user.email:
        raise HttpError(400, "Give an email address: your account has none.")
    if not email_verified(user):
        raise HttpError(
            400,
            f"Your account's address {user.email} is not verified yet: open the link we "
            "mailed (or ask for a new one on your profile page), or give an email address.",
        )
    return user.email


def _own(request: HttpRequest, subscription_id: int) -> Subscription:
    subscription = subscriptions_of(request.auth).filter(pk=subscription_id).first()
    if subscription is None:
        raise Http404(f"You have no subscription {subscription_id}.")
    return subscription


@router.get(
    "/subscriptions",
    auth=token_or_session,
    response={200: list[dict[str, Any]], 401: Error, 403: Error},
    summary="Your digest subscriptions",
)
def list_subscriptions(request: HttpRequest) -> list[dict[str, Any]]:
    return [subscription_json(s) for s in subscriptions_of(request.auth)]


class SubscribeOut(Schema):
    email: str
    message: str


@router.post(
    "/subscriptions",
    auth=token_or_session,
    response={202: SubscribeOut, **ERRORS},
    summary="Subscribe an address to the digest (a confirmation email is sent)",
    description="Nothing is sent until the address is confirmed through the emailed link. "
    "Confirming through that link while logged in attaches the subscription to your account; only "
    "then does it appear in `GET /api/subscriptions` (nobody can claim another's address).",
)
def create_subscription(request: HttpRequest, data: SubscriptionIn) -> Status:
    rate_limited(request, "digest_subscribe", by="ip")  # the web form's limit, same counter
    options = _digest_call(lambda: services.parse_options(data.frequency, data.size, data.topic))
    email = data.email or _verified_account_email(request.auth)
    subscription = _digest_call(lambda: services.subscribe(email, options))
    message = f"Check {subscription.email} for a confirmation link to start the digest."
    return Status(202, {"email": subscription.email, "message": message})


@router.patch(
    "/subscriptions/{int:subscription_id}",
    auth=token_or_session,
    response={200: dict[str, Any], **ERRORS},
    summary="Change frequency, size or topic",
)
def update_subscription(
    request: HttpRequest, subscription_id: int, data: SubscriptionUpdate
) -> dict[str, Any]:
    subscription = _own(request, subscription_id)
    options = _digest_call(
        lambda: services.parse_options(
            data.frequency or subscription.frequency,
            data.size if data.size is not None else subscription.size,
            data.topic if data.topic is not None else subscription.topic,
        )
    )
    services.update_options(subscription, options)
    return subscription_json(subscription)


@router.delete(
    "/subscriptions/{int:subscription_id}",
    auth=token_or_session,
    response={200: dict[str, Any], **ERRORS},
    summary="Unsubscribe",
)
def delete_subscription(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    subscription = _own(request, subscription_id)
    services.unsubscribe(subscription)
    return subscription_json(subscription)
