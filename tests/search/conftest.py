"""A small real corpus for search tests: 145 Hugging Face daily papers with their vectors.

The vectors were computed by the real model and are shipped next to the fixture
(``search_index export-demo-vectors``), so building the index takes a second, while queries
are still embedded by the real model. test_fixture_vectors checks they are not stale.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from papers.models import Paper
from search import service
from tests.factories import make_entry, make_org, make_paper

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "search"


def fixture_records() -> list[dict]:
    return json.loads((FIXTURE_DIR / "papers.json").read_text())


def load_fixture_papers() -> list[Paper]:
    """Create the fixture's papers (with orgs, code links and daily entries)."""
    papers = []
    for record in fixture_records():
        org = record["organization"]
        paper = make_paper(
            arxiv_id=record["arxiv_id"],
            title=record["title"],
            abstract=record["abstract"],
            authors=tuple(record["authors"]),
            published_at=dt.datetime.fromisoformat(record["published_at"].replace("Z", "+00:00")),
            organization=make_org(org["slug"], org["name"]) if org else None,
            github_repo=record["github_repo"],
            upvotes=record["upvotes"],
        )
        if int(record["arxiv_id"][-1]) % 2 == 0:  # half on the daily feed, for the filter
            make_entry(paper, record["daily_date"])
        papers.append(paper)
    return papers


@pytest.fixture(autouse=True)
def _fixture_vectors(settings) -> None:
    settings.SEARCH_VECTOR_DIRS = [*settings.SEARCH_VECTOR_DIRS, FIXTURE_DIR]


@pytest.fixture
def corpus(db) -> dict[str, Paper]:
    """The fixture papers, indexed; keyed by arXiv id."""
    papers = load_fixture_papers()
    service.rebuild_index()
    return {p.arxiv_id: p for p in papers}


@pytest.fixture
def corpus_transactional(transactional_db) -> dict[str, Paper]:
    """Like ``corpus`` for tests whose imports must really commit (on_commit signals)."""
    papers = load_fixture_papers()
    service.rebuild_index()
    return {p.arxiv_id: p for p in papers}
