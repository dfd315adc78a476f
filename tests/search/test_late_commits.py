"""Rows committed late reach every node's index, and a quiet update loop writes nothing.

A paper row is stamped (``updated_at``) when its transaction writes it, but other nodes can
only read it once that transaction commits, which may be after their catch-up read the table.
``catch_up`` therefore reads from ``SYNC_OVERLAP`` before its last sync and skips what it has
already applied. Two index directories over one database stand for two nodes, as in
test_multi_node and test_deletions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from papers.models import Paper
from search import applied, engine, indexer, store, sync, texts, tombstones
from search.embedding import get_embedder
from search.models import PaperEmbedding
from search.text import parse_query
from search.vectors import load_segment

S1 = "2501.19393"  # s1: Simple test-time scaling
R1 = "2501.12948"  # DeepSeek-R1
AXOLOTL = "Axolotl limb regeneration atlas"
AXOLOTL_ABSTRACT = "Single-cell maps of how axolotls regrow whole limbs after amputation."


def _ranked_ids(q: str, mode: str) -> list[int]:
    return [pid for pid, _ in engine.rank(parse_query(q), mode, 20)]


def _manifest() -> dict:
    version = store.current_version()
    assert version is not None
    return store.read_manifest(version)


def _synced_at() -> dt.datetime:
    return dt.datetime.fromisoformat(_manifest()["synced_at"])


def _files() -> dict[str, tuple[int, int]]:
    """Every file of the live version but the manifest: path -> (size, mtime)."""
    version = store.current_version()
    assert version is not None
    return {
        str(path.relative_to(version)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in version.rglob("*")
        if path.is_file() and path.name != "manifest.json"
    }


def _index_vector(paper_id: int) -> np.ndarray | None:
    """The vector this node's index serves for a paper (the newest segment holding it)."""
    version = store.current_version()
    manifest = _manifest()
    found = None
    segments = ([manifest["base"]["segment"]] if manifest["base"] else []) + manifest["deltas"]
    for name in segments:
        ids, vectors = load_segment(version, name)
        rows = np.flatnonzero(ids == paper_id)
        if len(rows):
            found = np.asarray(vectors[rows[-1]])
    return found


@pytest.fixture
def two_nodes(corpus_transactional, settings, tmp_path) -> tuple[Path, Path]:
    """Node A (the corpus' index) and node B (its own copy); node B is selected on return."""
    node_a = settings.SEARCH_INDEX_DIR
    settings.SEARCH_INDEX_DIR = node_b = tmp_path / "node-b"
    call_command("search_index", "rebuild")
    return node_a, node_b


@pytest.mark.django_db(transaction=True)
def test_paper_committed_after_a_catch_up_read_is_picked_up_next_time(
    two_nodes, corpus_transactional
):
    paper = corpus_transactional[S1]
    sync.catch_up()
    synced = _synced_at()
    # A long import on node A stamped this row before that catch-up started, and committed
    # after it had read the table: the stamp is older than node B's synced_at.
    Paper.objects.filter(pk=paper.pk).update(
        title=AXOLOTL, abstract=AXOLOTL_ABSTRACT, updated_at=synced - dt.timedelta(seconds=30)
    )
    assert paper.pk not in _ranked_ids("axolotl limb", "keyword")

    assert sync.catch_up() == (1, 1, 0)
    assert _ranked_ids("axolotl limb", "keyword")[0] == paper.pk
    assert _ranked_ids("how do salamanders grow back legs", "semantic")[0] == paper.pk


@pytest.mark.django_db(transaction=True)
def test_quiet_loops_write_no_index_file(two_nodes, corpus_transactional):
    """Every fixture paper and vector is younger than the overlap, and one paper is applied
    late: none of them is applied again by later loops."""
    paper = corpus_transactional[R1]
    assert sync.catch_up() == (0, 0, 0)  # the rebuild's own rows are known to it
    Paper.objects.filter(pk=paper.pk).update(
        title=AXOLOTL, updated_at=_synced_at() - dt.timedelta(seconds=30)
    )
    assert sync.catch_up() == (1, 1, 0)
    files, manifest = _files(), _manifest()
    assert len(manifest["deltas"]) == 1

    for loop in (1, 2):
        assert sync.catch_up() == (0, 0, 0)
        after = _manifest()
        # Only synced_at changed: no delta, no removal, no compaction, tantivy untouched.
        assert after["generation"] == manifest["generation"] + loop
        assert {
            k: v for k, v in after.items() if k not in ("generation", "updated_at", "synced_at")
        } == {
            k: v for k, v in manifest.items() if k not in ("generation", "updated_at", "synced_at")
        }
        assert _files() == files
    assert _ranked_ids("axolotl", "keyword") == [paper.pk]


@pytest.mark.django_db(transaction=True)
def test_overlap_record_is_pruned_as_the_window_moves(two_nodes, corpus_transactional):
    paper = corpus_transactional[S1]
    Paper.objects.filter(pk=paper.pk).update(updated_at=_synced_at() - dt.timedelta(seconds=1))
    sync.catch_up()
    version = store.current_version()
    record = applied.read_applied(version, _manifest())
    assert paper.pk in record.papers and len(record.papers) == len(corpus_transactional)
    # Ten minutes on, the window has passed every row: the record empties, its file goes.
    old_name = _manifest()["applied"]
    later = dt.datetime.now(dt.UTC) + applied.SYNC_OVERLAP * 2
    next_record = applied.next_applied(record, {}, {}, {}, later)
    assert next_record == applied.Applied()
    sync.set_synced_at(later.isoformat(), next_record, version, tombstones.current_epoch())
    assert "applied" not in _manifest()
    assert not (version / old_name).exists()
    assert sync.catch_up() == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_vector_stored_by_another_node_is_added_here(two_nodes, corpus_transactional, settings):
    """Node A's embedding task stores a new vector for a paper whose row node B's catch-ups do
    not see change (a data fix by QuerySet.update leaves updated_at alone, and the embedding
    commits late): node B serves the stored vector without embedding anything itself."""
    node_a, node_b = two_nodes
    paper = corpus_transactional[R1]
    sync.catch_up()
    synced = _synced_at()
    old_vector = _index_vector(paper.pk)

    settings.SEARCH_INDEX_DIR = node_a
    Paper.objects.filter(pk=paper.pk).update(title=AXOLOTL, abstract=AXOLOTL_ABSTRACT)
    indexer.update_vectors([paper.pk])  # node A's embedding task
    PaperEmbedding.objects.filter(paper=paper).update(created_at=synced - dt.timedelta(seconds=30))
    stored = PaperEmbedding.objects.get(paper=paper, model_name=texts.model_name())
    stored_vector = np.frombuffer(bytes(stored.vector), dtype=np.float16)
    assert not np.array_equal(stored_vector, old_vector)

    settings.SEARCH_INDEX_DIR = node_b

    def no_model(texts: list[str]) -> np.ndarray:
        raise AssertionError("node B must use the stored vector, not run the model")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(get_embedder(texts.model_name()), "embed", no_model)
        assert sync.catch_up() == (1, 1, 0)
    assert np.array_equal(_index_vector(paper.pk), stored_vector)
    assert _ranked_ids("how do salamanders grow back legs", "semantic")[0] == paper.pk
    # The new text reached the keyword index too (a new hash means a new text).
    assert _ranked_ids("axolotl limb", "keyword")[0] == paper.pk
    deltas = _manifest()["deltas"]
    assert sync.catch_up() == (0, 0, 0)
    assert _manifest()["deltas"] == deltas
