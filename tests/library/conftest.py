from __future__ import annotations

import datetime as dt

import pytest

from papers.models import Paper
from tests.factories import make_paper

AT = dt.datetime(2024, 1, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def papers(db) -> dict[str, Paper]:
    """The papers the import fixtures name, by arXiv id."""
    made = [
        make_paper("1706.03762", "Attention Is All You Need", authors=("Ashish Vaswani",)),
        make_paper("2401.00002", "Sparse Mixtures of Experts at Scale"),
        make_paper("2401.00003", "Retrieval for Long Contexts"),
        make_paper("2401.00004", "A Preprint Cited by Its DOI"),
        make_paper("2401.00005", "Graph Neural Networks: A Survey", published_at=AT),
    ]
    return {p.arxiv_id: p for p in made}
