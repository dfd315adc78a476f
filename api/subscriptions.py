"""Digest subscriptions of the authenticated user under /api/subscriptions.

A new subscription still needs its address confirmed through the emailed link (double
opt-in), exactly as from the web form, and only opening that link while logged in links it
to the account; ``digests.services`` holds the rules.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from api.auth import token_or_session
from api.queries import subscriptions_of
from api.schemas import CleanStr, Error
from api.serializers import subscription_json
from digests import services
from digests.models import Subscription

router = Router(tags=["subscriptions"])
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 503: Error}


class SubscriptionIn(Schema):
    email: str | None = Field(None, description="Defaults to your account's address")
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
    "Opening that link while logged in attaches the subscription to your account; only "
    "then does it appear in `GET /api/subscriptions` (nobody can claim another's address).",
)
def create_subscription(request: HttpRequest, data: SubscriptionIn) -> Status:
    email = data.email or request.auth.email
    if not email:
        raise HttpError(400, "Give an email address: your account has none.")
    options = _digest_call(lambda: services.parse_options(data.frequency, data.size, data.topic))
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
