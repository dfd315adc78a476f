"""``search_index`` management command: rebuild, update, status, export."""

from __future__ import annotations

from io import StringIO

import numpy as np
from django.core.management import call_command

from search import texts
from search.service import SearchQuery, search
from tests.factories import make_paper


def _run(*args: str) -> str:
    out = StringIO()
    call_command("search_index", *args, stdout=out)
    return out.getvalue()


def test_rebuild_and_status(corpus):
    assert "Rebuilt" in _run("rebuild")
    status = _run("status")
    assert f"keyword documents: {len(corpus)}" in status
    assert f"vectors: {len(corpus)}" in status


def test_update_catches_up_on_papers_written_without_signals(corpus):
    paper = make_paper(title="Lunar regolith brick printing", abstract="Sintered moon dust.")
    assert search(SearchQuery(q="regolith", mode="keyword")).hits == []
    assert "vectors: 1 papers" in _run("update")
    assert search(SearchQuery(q="regolith", mode="keyword")).hits[0].paper.pk == paper.pk
    assert (
        search(SearchQuery(q="building with moon soil", mode="semantic")).hits[0].paper.pk
        == paper.pk
    )


def test_status_without_index(db):
    assert "No index yet" in _run("status")


def test_export_demo_vectors(corpus, tmp_path):
    out = tmp_path / "v.npz"
    assert f"Wrote {len(corpus)}" in _run("export-demo-vectors", "--out", str(out))
    with np.load(out) as data:
        assert data["vectors"].shape == (len(corpus), 384)
        assert len(set(data["arxiv_ids"].tolist())) == len(corpus)
    assert texts.content_hash("x") == texts.content_hash("x")


def test_index_status_for_health_checks(corpus):
    from search.service import index_status

    status = index_status()
    assert status["present"] is True
    assert status["documents"] == status["vectors"] == len(corpus)
