"""Email digest subscriptions and the record of what was sent to whom.

A ``DigestDelivery`` row is the claim on "this subscriber's digest for this period": its
unique ``(subscription, period_key)`` constraint is what keeps two runners (or a re-run
after a crash) from mailing the same digest twice. ``SentPaper`` remembers every paper a
subscriber has received so no paper is ever sent to them twice.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def new_secret() -> str:
    """A random per-subscription secret mixed into its signed links (revocable by rotation)."""
    return secrets.token_urlsafe(12)


class Subscription(models.Model):
    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily (weekdays)"
        WEEKLY = "weekly", "Weekly"

    email = models.EmailField(max_length=254, unique=True, help_text="Stored lower-cased")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digest_subscriptions",
    )
    confirmed = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default="daily")
    size = models.PositiveSmallIntegerField(default=10, help_text="Papers per digest")
    topic = models.CharField(
        max_length=250, blank=True, help_text="Keywords or a saved search URL; empty = all"
    )
    secret = models.CharField(max_length=32, default=new_secret)
    # Consecutive permanent (5xx) failures; sending stops at DIGEST_MAX_HARD_FAILURES.
    hard_failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["confirmed", "frequency"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.frequency})"

    @property
    def is_active(self) -> bool:
        """Confirmed, not unsubscribed and not disabled by bounces."""
        return (
            self.confirmed
            and self.unsubscribed_at is None
            and self.hard_failures < settings.DIGEST_MAX_HARD_FAILURES
        )

    @property
    def status_label(self) -> str:
        if self.unsubscribed_at is not None:
            return "unsubscribed"
        if not self.confirmed:
            return "waiting for confirmation"
        if self.hard_failures >= settings.DIGEST_MAX_HARD_FAILURES:
            return "paused: your mail server rejected our last messages"
        return "active"


class DigestDelivery(models.Model):
    class Status(models.TextChoices):
        SENDING = "sending", "Claimed, being sent"
        SENT = "sent", "Sent"
        DEFERRED = "deferred", "Temporary failure; retried by the next run"
        FAILED = "failed", "Permanent failure"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    period_key = models.CharField(max_length=32, help_text="e.g. daily:2025-01-06, weekly:2025-W02")
    status = models.CharField(max_length=10, choices=Status.choices, default="sending")
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=1, help_text="Claims taken on this digest")
    paper_count = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        verbose_name_plural = "digest deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_key"], name="one_digest_per_period"
            )
        ]
        indexes = [models.Index(fields=["period_key", "status"])]

    def __str__(self) -> str:
        return f"{self.period_key} → {self.subscription.email}: {self.status}"


class SentPaper(models.Model):
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="sent_papers"
    )
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(DigestDelivery, on_delete=models.CASCADE, related_name="papers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "paper"], name="paper_sent_once")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} → {self.subscription_id}"
