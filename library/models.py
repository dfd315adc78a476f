"""The personal side of a user's reading: private notes on papers and the arXiv ids of an
import that were not in the database yet.

The library itself is not a table: it is the union of the user's collections (imports go
to a private collection named "Library"), upvotes and approved authorship claims
(``library.queries.library_paper_ids``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from papers.models import Paper


class PaperNote(models.Model):
    """A user's private note on a paper: shown to nobody else, in no export but theirs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_notes"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "paper"], name="one_note_per_user_and_paper")
        ]

    def __str__(self) -> str:
        return f"note of {self.user_id} on {self.paper_id}"


class PendingImport(models.Model):
    """An arXiv id from a user's import that we lack: fetched in the background
    (``library.tasks``), then added to the user's Library collection."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        NOT_FOUND = "not_found"
        UNAVAILABLE = "unavailable"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_imports"
    )
    arxiv_id = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "arxiv_id"], name="one_pending_import_per_id")
        ]

    def __str__(self) -> str:
        return f"{self.arxiv_id} for {self.user_id} ({self.status})"
