"""A keyword index left by an older version (another schema) never breaks search."""

from __future__ import annotations

import shutil

import pytest
import tantivy

from papers.importers.records import AuthorRecord, PaperRecord
from papers.services import upsert_papers
from search import store
from search.service import SearchQuery, search


def _replace_with_foreign_schema(version) -> None:
    path = version / "keyword"
    shutil.rmtree(path)
    path.mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("something_else", stored=True)
    tantivy.Index(builder.build(), path=str(path))


def _ids(q: str, mode: str) -> list[str]:
    return [h.paper.arxiv_id for h in search(SearchQuery(q=q, mode=mode, limit=5)).hits]


@pytest.mark.django_db(transaction=True)
def test_search_degrades_then_an_import_rebuilds_the_index(corpus_transactional):
    version = store.current_version()
    _replace_with_foreign_schema(version)
    store.write_manifest(version, store.read_manifest(version))  # readers notice the change

    assert _ids("zebrafish regeneration", "keyword") == []  # no keyword index: no error
    assert _ids("language models", "semantic")  # vectors still answer

    record = PaperRecord(
        arxiv_id="2601.00043",
        title="Zebrafish regeneration atlas",
        abstract="We map how zebrafish regrow their fins after amputation.",
        source="jsonl",
        authors=[AuthorRecord("Grace Hopper")],
    )
    upsert_papers([record])  # papers_changed → incompatible index → full rebuild

    assert store.current_version() != version
    assert _ids("zebrafish regeneration", "keyword")[0] == "2601.00043"
    assert len(_ids("language models", "keyword")) == 5
