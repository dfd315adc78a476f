"""The search interface: the only module pages, API, digests and CLI import for search.

CONTRACT STUB — the Search issue replaces the bodies; signatures stay.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from papers.models import Paper

Mode = Literal["hybrid", "keyword", "semantic"]
Sort = Literal["relevance", "newest", "upvotes"]


@dataclass(frozen=True)
class SearchQuery:
    q: str
    mode: Mode = "hybrid"
    sort: Sort = "relevance"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    organization: str | None = None  # Organization.slug
    has_code: bool = False
    daily_only: bool = False
    limit: int = 20
    offset: int = 0


@dataclass
class SearchHit:
    paper: Paper
    score: float
    # Title and abstract with matched terms wrapped in <mark> (HTML-escaped otherwise).
    title_html: str = ""
    abstract_html: str = ""


@dataclass
class SearchResults:
    query: SearchQuery
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    redirect_to: Paper | None = None  # set when q is an arXiv id of a known paper
    message: str = ""  # a human explanation for empty or adjusted queries


def search(query: SearchQuery) -> SearchResults:
    raise NotImplementedError


def similar_papers(paper: Paper, limit: int = 8) -> list[Paper]:
    raise NotImplementedError


def rank_papers(q: str, paper_ids: list[int]) -> list[tuple[int, float]]:
    """Re-rank a candidate set by relevance to ``q`` (best first); used by topic digests."""
    raise NotImplementedError


def index_papers(paper_ids: list[int]) -> None:
    """Bring the derived indexes up to date for these papers (added, changed or deleted)."""
    raise NotImplementedError


def rebuild_index() -> None:
    """Rebuild all derived indexes from the database, atomically."""
    raise NotImplementedError
