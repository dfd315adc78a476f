"""Imports keep the indexes current: added, changed and deleted papers (via papers_changed)."""

from __future__ import annotations

import pytest

from papers.importers.records import AuthorRecord, PaperRecord
from papers.models import Paper
from papers.services import upsert_papers
from search.models import PaperEmbedding
from search.service import SearchQuery, index_papers, search


def _ids(q: str, mode: str = "hybrid") -> list[str]:
    return [h.paper.arxiv_id for h in search(SearchQuery(q=q, mode=mode, limit=10)).hits]


def _record(title: str, abstract: str) -> PaperRecord:
    return PaperRecord(
        arxiv_id="2601.00042",
        title=title,
        abstract=abstract,
        source="jsonl",
        authors=[AuthorRecord("Grace Hopper")],
    )


@pytest.mark.django_db(transaction=True)
def test_imported_paper_becomes_searchable(corpus_transactional):
    record = _record(
        "Zebrafish regeneration atlas",
        "We map how zebrafish regrow their fins after amputation, cell by cell.",
    )
    upsert_papers([record])  # commits, then sends papers_changed
    assert _ids("zebrafish fin", "keyword")[0] == "2601.00042"
    assert _ids("how do fish grow back lost limbs", "semantic")[0] == "2601.00042"
    assert _ids("Grace Hopper", "keyword")[0] == "2601.00042"
    assert PaperEmbedding.objects.filter(paper__arxiv_id="2601.00042").count() == 1


@pytest.mark.django_db(transaction=True)
def test_changed_paper_is_reindexed(corpus_transactional):
    upsert_papers([_record("Zebrafish regeneration atlas", "Fins regrow.")])
    upsert_papers([_record("Axolotl limb atlas", "Salamander limbs regrow.")])
    assert "2601.00042" not in _ids("zebrafish", "keyword")
    assert _ids("axolotl", "keyword")[0] == "2601.00042"
    embedding = PaperEmbedding.objects.get(paper__arxiv_id="2601.00042")
    assert _ids("salamander regrowing legs", "semantic")[0] == "2601.00042"
    assert embedding.content_hash  # re-embedded for the new text, one row per model


def test_deleted_paper_disappears(corpus):
    paper = corpus["2501.19393"]
    pk = paper.pk
    Paper.objects.filter(pk=pk).delete()
    index_papers([pk])
    for mode in ("keyword", "semantic", "hybrid"):
        assert "2501.19393" not in _ids("s1: Simple test-time scaling", mode)


def test_index_papers_on_empty_index_creates_it(db):
    from tests.factories import make_paper

    paper = make_paper(title="Quantum error correction with cat qubits", abstract="Cat qubits.")
    index_papers([paper.pk])
    assert _ids("cat qubits", "keyword") == [paper.arxiv_id]
