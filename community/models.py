"""Community data: votes, comments, submissions waiting for arXiv, authorship claims,
collections, and the audit log of curator actions.

All writes go through ``community.services``; the denormalized counters on ``Paper``
(``upvotes``, ``num_comments``) are kept exact there, in the same transaction as the row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from papers.models import DailyEntry, Paper, PaperAuthor

CURATOR_GROUP = "curator"


class Vote(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="one_vote_per_user")]
        # Trending sums decayed weights per paper over a time range.
        indexes = [models.Index(fields=["paper", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.paper_id}"


class Comment(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    # Replies are one level deep: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField()
    body_html = models.TextField(help_text="Sanitized HTML rendered from the Markdown body")
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="Soft delete by author")
    hidden = models.BooleanField(default=False, help_text="Hidden by a curator")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["paper", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk} by {self.author_id} on {self.paper_id}"

    @property
    def is_visible(self) -> bool:
        """Counted on the paper and shown in full (not deleted, not hidden)."""
        return self.deleted_at is None and not self.hidden


class PendingSubmission(models.Model):
    """A submission whose paper could not be fetched from arXiv yet; retried later."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        FAILED = "failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_submissions"
    )
    arxiv_id = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(db_index=True)
    entry = models.ForeignKey(DailyEntry, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.arxiv_id} by {self.user_id} ({self.status})"

    @property
    def status_message(self) -> str:
        """The sentence the submitter sees; the technical error stays in ``last_error``
        (logged when it happens, and shown to curators in the admin)."""
        if self.status == self.Status.PENDING:
            at = self.next_attempt_at.astimezone(dt.UTC)
            return f"arXiv could not be reached; we retry at {at:%H:%M} UTC on {at:%b} {at.day}."
        if self.status == self.Status.FAILED:
            # Failures are recorded as sentences meant for the submitter (services._finish).
            return self.last_error or "It could not be added to the feed."
        return "Added to the feed."


class AuthorshipClaim(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authorship_claims"
    )
    authorship = models.ForeignKey(PaperAuthor, on_delete=models.CASCADE, related_name="claims")
    orcid = models.CharField(max_length=19, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "authorship"],
                condition=models.Q(status="pending"),
                name="one_pending_claim_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} claims {self.authorship_id} ({self.status})"


class Collection(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections"
    )
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=150, blank=True)
    theme = models.CharField(max_length=20, default="orange")
    is_public = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    papers = models.ManyToManyField(Paper, through="CollectionItem", related_name="collections")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="unique_collection_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community:collection", args=[self.owner.username, self.slug_name])

    @property
    def slug_name(self) -> str:
        """The title part of the slug, then the id: ``reading-list-12`` (HF's shape)."""
        return f"{slugify(self.name) or 'collection'}-{self.pk}"

    @property
    def slug(self) -> str:
        """HF's collection slug, ``owner/title-slug-<id>``; only the id identifies it, so a
        renamed collection keeps answering at its old slug."""
        return f"{self.owner.username}/{self.slug_name}"


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order in the collection, from 0")

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "paper"], name="unique_collection_item")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} in {self.collection_id}"


class AuditLog(models.Model):
    """One curator (or system) action: who did what to which object, with details."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=40, db_index=True)
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.target_repr}"


class VerifiedEmail(models.Model):
    """The address of an account that its owner proved to receive (the sign-up link).

    Holds the address that was verified: when the account's address changes it no longer
    matches, and mail-dependent features (password reset, the account's own digest) wait
    for the new one to be verified.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verified_email"
    )
    email = models.EmailField(max_length=254)
    verified_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.email} ({self.user_id})"
