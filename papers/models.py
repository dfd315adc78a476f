"""Papers, their authors and organizations, and their appearances on the daily feed.

A paper is stored once per arXiv id; each appearance on the daily feed is a
``DailyEntry`` (date, submitter, submitter's comment), as Hugging Face separates them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

# Links are shown to visitors: http(s) only (Django's default also allows ftp).
HTTP_ONLY = [URLValidator(schemes=["http", "https"])]


def page_url(view: str, slug: str, name: str) -> str:
    """The page of ``slug``; a slug no URL can carry (a record written by hand or by an
    older release) links to a search for ``name`` instead of failing the whole page."""
    try:
        return reverse(view, args=[slug])
    except NoReverseMatch:
        return f"{reverse('search:search')}?{urlencode({'q': name})}"


class Organization(models.Model):
    slug = models.SlugField(max_length=200, unique=True)
    name = models.CharField(max_length=300)
    hf_id = models.CharField(max_length=64, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True, validators=HTTP_ONLY)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_url("papers:organization", self.slug, self.name)


class Author(models.Model):
    """A name as it appears on papers; same normalized name means same author page."""

    name = models.CharField(max_length=300, db_index=True)
    slug = models.SlugField(max_length=320, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_url("papers:author", self.slug, self.name)


class PaperLinks:
    """The links of a paper, for anything with an ``arxiv_id`` (the model and its card)."""

    __slots__ = ()
    arxiv_id: str

    def get_absolute_url(self) -> str:
        return reverse("papers:paper", args=[self.arxiv_id])

    @property
    def arxiv_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}"


class Paper(PaperLinks, models.Model):
    arxiv_id = models.CharField(max_length=64, unique=True, help_text="Without version")
    version = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.TextField()
    abstract = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    categories = models.JSONField(default=list, blank=True)
    primary_category = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True, help_text="The authors' arXiv comment")
    withdrawn = models.BooleanField(
        default=False, help_text="Withdrawn on arXiv (the record stays; pages say so)"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="papers"
    )
    github_repo = models.URLField(max_length=500, blank=True, validators=HTTP_ONLY)
    github_stars = models.IntegerField(null=True, blank=True)
    project_page = models.URLField(max_length=500, blank=True, validators=HTTP_ONLY)
    thumbnail = models.URLField(max_length=500, blank=True, validators=HTTP_ONLY)
    ai_summary = models.TextField(blank=True)
    ai_keywords = models.JSONField(default=list, blank=True)
    # Counts shown everywhere are denormalized so feed pages need no aggregation:
    # upvotes = imported_upvotes + local votes, num_comments likewise.
    upvotes = models.IntegerField(default=0, db_index=True)
    imported_upvotes = models.IntegerField(default=0)
    num_comments = models.IntegerField(default=0)
    imported_comments = models.IntegerField(default=0)
    source = models.CharField(max_length=16, blank=True, help_text="hf, arxiv, jsonl, submit")
    extra = models.JSONField(default=dict, blank=True, help_text="Source fields not modelled")
    authors = models.ManyToManyField(Author, through="PaperAuthor", related_name="papers")
    created_at = models.DateTimeField(auto_now_add=True)
    # Indexed: every node's search catch-up (every 10 s) asks for papers changed since its
    # last run, which without an index scans the whole table.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.arxiv_id}: {self.title[:60]}"


class PaperAuthor(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="authorships")
    position = models.PositiveIntegerField()
    hf_id = models.CharField(max_length=64, blank=True)
    hidden = models.BooleanField(default=False)
    status = models.CharField(max_length=40, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_authorships",
    )

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="unique_author_position")
        ]

    def __str__(self) -> str:
        return f"{self.author} #{self.position} on {self.paper.arxiv_id}"


class DailyEntry(models.Model):
    """One appearance of a paper on the daily feed of a given date."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="daily_entries")
    date = models.DateField(db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="daily_entries",
    )
    # For imported entries the submitter is a Hugging Face account, not a local user.
    submitter_name = models.CharField(max_length=150, blank=True)
    submitter_fullname = models.CharField(max_length=300, blank=True)
    submitter_avatar = models.CharField(max_length=500, blank=True)
    submitter_comment = models.TextField(blank=True)
    featured = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-paper__upvotes"]
        verbose_name_plural = "daily entries"
        constraints = [
            models.UniqueConstraint(fields=["paper", "date"], name="unique_paper_per_day")
        ]
        indexes = [models.Index(fields=["date", "hidden"])]

    def __str__(self) -> str:
        return f"{self.date} {self.paper.arxiv_id}"

    @property
    def submitter_display(self) -> str:
        if self.submitted_by_id:
            return self.submitted_by.username
        return self.submitter_fullname or self.submitter_name


class ImportCheckpoint(models.Model):
    """Progress of a resumable import (e.g. a live arXiv harvest), keyed by its parameters."""

    key = models.CharField(max_length=300, unique=True)
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key
