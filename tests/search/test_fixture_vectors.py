"""The shipped fixture vectors come from the live model (else ranking tests prove nothing)."""

from __future__ import annotations

import numpy as np

from search import demo_vectors, texts
from search.embedding import get_embedder
from tests.search.conftest import fixture_records


def test_fixture_vectors_match_the_model(settings):
    vectors = demo_vectors.shipped_vectors(settings.SEARCH_EMBEDDING_MODEL)
    records = fixture_records()[:3]
    for record in records:
        text = texts.paper_text(record["title"], record["abstract"])
        stored = vectors[(record["arxiv_id"], texts.content_hash(text))].astype(np.float32)
        live = get_embedder(settings.SEARCH_EMBEDDING_MODEL).embed([text])[0]
        assert float(stored @ live) > 0.98


def test_vector_files_come_from_the_setting_at_call_time(settings, fixtures_dir):
    model = settings.SEARCH_EMBEDDING_MODEL
    fixture_id = fixture_records()[0]["arxiv_id"]
    assert fixture_id in {arxiv_id for arxiv_id, _ in demo_vectors.shipped_vectors(model)}
    settings.SEARCH_VECTOR_DIRS = []
    assert demo_vectors.shipped_vectors(model) == {}
    settings.SEARCH_VECTOR_DIRS = [fixtures_dir / "search"]
    only_fixture = demo_vectors.shipped_vectors(model)
    assert len(only_fixture) == len(fixture_records())
