"""Several web nodes share one database, each with its own copy of the indexes.

A node's copy is derived from the database, so ``search_index update`` (run with ``--loop``
on every node) brings it up to date with papers another node imported.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from papers.importers.records import AuthorRecord, PaperRecord
from papers.services import upsert_papers
from search.service import SearchQuery, search


def _top(q: str, mode: str) -> str | None:
    hits = search(SearchQuery(q=q, mode=mode, limit=1)).hits
    return hits[0].paper.arxiv_id if hits else None


@pytest.mark.django_db(transaction=True)
def test_second_node_catches_up_from_the_database(corpus_transactional, settings, tmp_path):
    node_a = settings.SEARCH_INDEX_DIR
    settings.SEARCH_INDEX_DIR = node_b = tmp_path / "node-b"
    call_command("search_index", "rebuild")

    settings.SEARCH_INDEX_DIR = node_a  # node A imports; its own index follows at once
    upsert_papers(
        [
            PaperRecord(
                arxiv_id="2601.00044",
                title="Axolotl limb regeneration atlas",
                abstract="Single-cell maps of how axolotls regrow whole limbs.",
                source="jsonl",
                authors=[AuthorRecord("Grace Hopper")],
            )
        ]
    )
    assert _top("axolotl limb", "keyword") == "2601.00044"

    settings.SEARCH_INDEX_DIR = node_b  # node B does not know it yet ...
    assert _top("axolotl limb", "keyword") != "2601.00044"
    call_command("search_index", "update")  # ... until its update loop runs
    assert _top("axolotl limb", "keyword") == "2601.00044"
    assert _top("how do salamanders grow back legs", "semantic") == "2601.00044"
