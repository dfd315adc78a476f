"""State of the live sources: one row per source (progress, errors, lease), arXiv
announcements in the followed categories, GitHub ETags, and on-demand fetches."""

from __future__ import annotations

from django.db import models

from papers.models import Paper


class SourceState(models.Model):
    """Where a source is and who runs it.

    ``cursor`` is the source's own resume point (arXiv: OAI-PMH ``from`` datestamp and
    resumption token per set; Hugging Face: the last day read), written in the same
    transaction as the papers it covers, so a crash resumes at the last committed page.
    ``lease_owner`` / ``lease_expires_at`` keep a source to one runner across nodes: a runner
    claims it with a conditional UPDATE and renews it while it works.
    """

    name = models.CharField(max_length=20, primary_key=True)
    cursor = models.JSONField(default=dict, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_added = models.IntegerField(default=0, help_text="papers added by the last run")
    last_updated = models.IntegerField(default=0, help_text="papers updated by the last run")
    total_added = models.BigIntegerField(default=0)
    total_updated = models.BigIntegerField(default=0)
    next_run_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class ArxivListing(models.Model):
    """A paper announced by arXiv in a followed category on ``date`` (the OAI datestamp)."""

    class Kind(models.TextChoices):
        NEW = "new", "new"
        CROSS = "cross", "cross-list"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="arxiv_listings")
    date = models.DateField(db_index=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    categories = models.JSONField(default=list, help_text="the followed categories it is in")

    class Meta:
        ordering = ["date", "-kind", "paper__arxiv_id"]  # new before cross-lists
        constraints = [
            models.UniqueConstraint(fields=["paper"], name="one_arxiv_listing_per_paper")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.paper_id}"


class GithubRepo(models.Model):
    """The last answer GitHub gave for a repository, for conditional requests (ETag)."""

    url = models.URLField(max_length=500, unique=True)
    etag = models.CharField(max_length=200, blank=True)
    stars = models.IntegerField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return self.url


class OnDemandFetch(models.Model):
    """A visitor asked for an arXiv paper we did not have; the fetch runs in the background."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        NOT_FOUND = "not_found"
        UNAVAILABLE = "unavailable"

    arxiv_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.arxiv_id} {self.status}"
