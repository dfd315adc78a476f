"""Small builders for test data shared by every app's tests.

They write through the ORM directly (not the importers) so a test states exactly
the rows it needs.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from papers.models import Author, DailyEntry, Organization, Paper, PaperAuthor

_counter = itertools.count(1)


def make_user(username: str = "", password: str = "correct-horse-battery", **extra: Any):
    username = username or f"user{next(_counter)}"
    email = extra.pop("email", f"{username}@example.org")
    return get_user_model().objects.create_user(username, email, password, **extra)


def make_org(slug: str = "", name: str = "") -> Organization:
    slug = slug or f"org-{next(_counter)}"
    return Organization.objects.get_or_create(slug=slug, defaults={"name": name or slug})[0]


def make_author(name: str) -> Author:
    slug = slugify(name, allow_unicode=True)
    return Author.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def make_paper(
    arxiv_id: str = "",
    title: str = "",
    abstract: str = "An abstract about nothing in particular.",
    authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing"),
    published_at: dt.datetime | None = None,
    **fields: Any,
) -> Paper:
    n = next(_counter)
    arxiv_id = arxiv_id or f"2501.{n:05d}"
    published_at = published_at or dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
    paper = Paper.objects.create(
        arxiv_id=arxiv_id,
        title=title or f"Paper number {n}",
        abstract=abstract,
        published_at=published_at,
        **fields,
    )
    for position, name in enumerate(authors):
        PaperAuthor.objects.create(paper=paper, author=make_author(name), position=position)
    return paper


def make_entry(paper: Paper, date: dt.date | str, **fields: Any) -> DailyEntry:
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    return DailyEntry.objects.create(paper=paper, date=date, **fields)


def make_daily_paper(date: dt.date | str, **paper_fields: Any) -> DailyEntry:
    """A paper and its appearance on the daily feed of ``date``."""
    return make_entry(make_paper(**paper_fields), date)
