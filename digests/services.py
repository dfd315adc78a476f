"""Write side of subscriptions: subscribe (double opt-in), confirm, change options, unsubscribe.

Sending digests lives in ``digests.delivery``. A subscribe request never changes an
existing subscription, confirmed or pending — only its emailed links do — so nobody can
pause or alter someone else's digest by typing their address. Confirmation mails are
limited per address (one per ``CONFIRMATION_RESEND_SECONDS``) and for the whole site
(the ``digest_confirmation`` rate limit); the views limit requests per client.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from community.ratelimit import hit
from dailypapers.text import clean_text
from digests import emails
from digests.models import Subscription

MAX_TOPIC_LENGTH = 250
# One confirmation mail per address per window, so the form cannot be used to flood someone.
CONFIRMATION_RESEND_SECONDS = 300
_validate_email = EmailValidator(message="Enter a valid email address, like name@example.org.")


class SubscribeError(Exception):
    """A subscription request that cannot be honoured; ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def normalize_email(raw: str) -> str:
    """The address as stored (trimmed, lower-cased); raises SubscribeError when invalid."""
    email = (raw or "").strip().lower()
    if not email:
        raise SubscribeError("Enter your email address to subscribe.")
    if len(email) > 254:
        raise SubscribeError("That email address is too long (254 characters at most).")
    try:
        _validate_email(email)
    except ValidationError as exc:
        raise SubscribeError(exc.messages[0]) from None
    return email


@dataclass(frozen=True)
class Options:
    frequency: str = "daily"
    size: int = 10
    topic: str = ""


def parse_options(frequency: str, size: str | int, topic: str) -> Options:
    """Validated digest options from a form; raises SubscribeError with a readable message."""
    if frequency not in Subscription.Frequency.values:
        raise SubscribeError("Choose a daily or a weekly digest.")
    try:
        count = int(size)
    except (TypeError, ValueError):
        raise SubscribeError("The number of papers must be a whole number.") from None
    if not 1 <= count <= settings.DIGEST_MAX_PAPERS:
        raise SubscribeError(
            f"The number of papers must be between 1 and {settings.DIGEST_MAX_PAPERS}."
        )
    topic = " ".join(clean_text(topic or "").split())
    if len(topic) > MAX_TOPIC_LENGTH:
        raise SubscribeError(f"The topic is too long ({MAX_TOPIC_LENGTH} characters at most).")
    return Options(frequency, count, topic)


def subscribe(
    raw_email: str, options: Options | None = None, now: dt.datetime | None = None
) -> Subscription:
    """Create (or find) the subscription for an address and mail its confirmation link.

    The account of whoever asks is not linked here: only a POST from a page reached through
    an emailed link links it (``link_user``), so nobody can claim someone else's address.
    """
    email = normalize_email(raw_email)
    now = now or timezone.now()
    options = options or Options()
    with transaction.atomic():
        subscription, _ = Subscription.objects.select_for_update().get_or_create(
            email=email,
            defaults={"frequency": options.frequency, "size": options.size, "topic": options.topic},
        )
        # An existing subscription keeps its options, pending or not: only its own emailed
        # links change them, or anyone could rewrite a stranger's pending digest.
        due = _confirmation_due(subscription, now)
        if due:
            _count_confirmation_mail()  # refusing rolls back a subscription created here
            subscription.confirmation_sent_at = now
            subscription.save()
    if due:
        send_confirmation(subscription)
    return subscription


def _count_confirmation_mail() -> None:
    """Count one confirmation mail against the site-wide hourly limit; SubscribeError when over."""
    wait = hit("digest_confirmation", "site")
    if wait:
        raise SubscribeError(
            "We are sending too many confirmation emails right now. Please try again in "
            f"{max(1, wait // 60)} minutes.",
            429,
        )


def _confirmation_due(subscription: Subscription, now: dt.datetime) -> bool:
    last = subscription.confirmation_sent_at
    return last is None or (now - last).total_seconds() >= CONFIRMATION_RESEND_SECONDS


def send_confirmation(subscription: Subscription) -> None:
    """Mail the double opt-in link; SMTP problems become a SubscribeError, never a 500."""
    try:
        emails.confirmation_email(subscription).send()
    except smtplib.SMTPRecipientsRefused:
        raise SubscribeError("The mail server refused this address. Check it for typos.") from None
    except (smtplib.SMTPException, OSError):
        # Let a retry within the resend window go through.
        Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=None)
        raise SubscribeError(
            "We could not send the confirmation email right now. Please try again later.", 503
        ) from None


def confirm(subscription: Subscription, now: dt.datetime | None = None) -> bool:
    """Activate the subscription (also after an unsubscribe); False if it already was active."""
    was_active = subscription.confirmed and subscription.unsubscribed_at is None
    subscription.confirmed = True
    subscription.confirmed_at = subscription.confirmed_at or now or timezone.now()
    subscription.unsubscribed_at = None
    subscription.hard_failures = 0  # the owner just proved the mailbox works
    subscription.save()
    return not was_active


def update_options(subscription: Subscription, options: Options) -> None:
    _apply(subscription, options)
    subscription.save()


def _apply(subscription: Subscription, options: Options) -> None:
    subscription.frequency = options.frequency
    subscription.size = options.size
    subscription.topic = options.topic


def unsubscribe(subscription: Subscription, now: dt.datetime | None = None) -> bool:
    """Stop all digests to this address; False if it was already unsubscribed."""
    updated = Subscription.objects.filter(pk=subscription.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=now or timezone.now()
    )
    subscription.refresh_from_db()
    return updated == 1


def resubscribe(subscription: Subscription) -> None:
    """Undo an unsubscribe from the manage page (the signed link proves the mailbox)."""
    confirm(subscription)


def link_user(subscription: Subscription, user) -> None:
    """Attach a subscription to the logged-in account that posted from one of its emailed links."""
    if user.is_authenticated and subscription.user_id is None:
        Subscription.objects.filter(pk=subscription.pk).update(user=user)
        subscription.user = user


def record_hard_failure(subscription_id: int, reason: str, now: dt.datetime) -> None:
    """A permanent (5xx) rejection; after DIGEST_MAX_HARD_FAILURES sending stops."""
    Subscription.objects.filter(pk=subscription_id).update(
        hard_failures=F("hard_failures") + 1, last_failure_at=now, last_failure=reason[:1000]
    )


def record_success(subscription_id: int) -> None:
    """A delivered digest resets the count: only consecutive failures disable an address."""
    Subscription.objects.filter(pk=subscription_id, hard_failures__gt=0).update(hard_failures=0)
