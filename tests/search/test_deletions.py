"""Deleted papers leave every node's index files, not only the node that deleted them.

Two index directories over one database stand for two web nodes (as in test_multi_node).
Deleting a paper writes a tombstone (``DeletedPaper``) in the same transaction; the deleting
node drops the paper from its own indexes once that commits, and every other node does so
on its next ``search_index update``.
"""

from __future__ import annotations

import datetime as dt
import logging
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from papers.models import Paper
from search import engine, indexer, store, sync, tombstones
from search.models import DeletedPaper
from search.service import SearchQuery, index_papers, index_status, search
from search.text import parse_query
from search.vectors import VectorSet, load_segment
from tests.factories import make_paper, make_user

# Fixture papers deleted below, with a query that finds each of them at the top.
S1 = "2501.19393"  # s1: Simple test-time scaling
R1 = "2501.12948"  # DeepSeek-R1


def _ranked_ids(q: str, mode: str) -> list[int]:
    """Paper ids straight from the index files (before the database hydrates them)."""
    return [pid for pid, _ in engine.rank(parse_query(q), mode, 200)]


def _in_every_ranking(paper: Paper) -> dict[str, bool]:
    return {mode: paper.pk in _ranked_ids(paper.title, mode) for mode in engine_modes()}


def engine_modes() -> tuple[str, ...]:
    return ("keyword", "semantic", "hybrid")


def _manifest() -> dict:
    version = store.current_version()
    assert version is not None
    return store.read_manifest(version)


def _base_ids() -> set[int]:
    version = store.current_version()
    assert version is not None
    ids, _ = load_segment(version, _manifest()["base"]["segment"])
    return set(ids.tolist())


@pytest.fixture
def two_nodes(corpus_transactional, settings, tmp_path) -> tuple[Path, Path]:
    """Node A (the corpus' index) and node B (its own copy, built from the same database);
    node A is selected on return."""
    node_a = settings.SEARCH_INDEX_DIR
    settings.SEARCH_INDEX_DIR = node_b = tmp_path / "node-b"
    call_command("search_index", "rebuild")
    settings.SEARCH_INDEX_DIR = node_a
    return node_a, node_b


@pytest.mark.django_db(transaction=True)
def test_paper_deleted_on_one_node_leaves_the_other_nodes_index(
    two_nodes, corpus_transactional, settings
):
    _node_a, node_b = two_nodes
    paper = corpus_transactional[S1]
    before = index_status()
    assert all(_in_every_ranking(paper).values())

    paper_id = paper.pk
    paper.delete()  # on node A
    paper.pk = paper_id
    assert DeletedPaper.objects.filter(paper_id=paper_id).exists()
    # Node A dropped it from its own files at once, keyword and vector index alike.
    assert index_status()["documents"] == before["documents"] - 1
    assert index_status()["vectors"] == before["vectors"] - 1
    assert not any(_in_every_ranking(paper).values())

    settings.SEARCH_INDEX_DIR = node_b  # node B still has it in its files ...
    assert index_status()["documents"] == before["documents"]
    assert index_status()["vectors"] == before["vectors"]
    assert all(_in_every_ranking(paper).values())
    out = StringIO()
    call_command("search_index", "update", stdout=out)  # ... until its update loop runs
    assert "removed: 1 deleted papers" in out.getvalue()
    status = index_status()
    assert (status["documents"], status["vectors"]) == (
        before["documents"] - 1,
        before["vectors"] - 1,
    )
    assert _in_every_ranking(paper) == dict.fromkeys(engine_modes(), False)
    assert _manifest()["removed"] == [paper_id]
    hits = search(SearchQuery(q=paper.title, limit=50)).hits
    assert S1 not in [h.paper.arxiv_id for h in hits]
    # The deletion is applied once: the next loop finds nothing left to write.
    generation = index_status()["generation"]
    assert sync.catch_up().removed == 0  # the tombstone is re-read, nothing is left to drop
    assert index_status()["generation"] == generation + 1  # only the new synced_at


@pytest.mark.django_db(transaction=True)
def test_bulk_delete_writes_a_tombstone_per_paper_and_one_index_update(
    two_nodes, corpus_transactional, settings
):
    _node_a, node_b = two_nodes
    doomed = [p for p in corpus_transactional.values()][:7]
    ids = sorted(p.pk for p in doomed)
    before = index_status()

    deleted, _ = Paper.objects.filter(pk__in=ids).delete()
    assert deleted >= len(ids)
    assert sorted(DeletedPaper.objects.values_list("paper_id", flat=True)) == ids
    after = index_status()
    assert after["documents"] == before["documents"] - len(ids)
    assert after["vectors"] == before["vectors"] - len(ids)
    # One write for the whole transaction, not one per paper.
    assert after["generation"] == before["generation"] + 1

    settings.SEARCH_INDEX_DIR = node_b
    sync.catch_up()
    assert index_status()["documents"] == before["documents"] - len(ids)
    assert index_status()["vectors"] == before["vectors"] - len(ids)
    for paper in doomed:
        assert paper.pk not in _ranked_ids(paper.title, "hybrid")
        assert paper.pk not in _ranked_ids(paper.title, "semantic")


@pytest.mark.django_db(transaction=True)
def test_admin_delete_reaches_other_nodes(two_nodes, corpus_transactional, settings, client):
    _node_a, node_b = two_nodes
    paper = corpus_transactional[R1]
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:papers_paper_changelist"),
        {"action": "delete_selected", "_selected_action": [paper.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Paper.objects.filter(pk=paper.pk).exists()
    assert DeletedPaper.objects.filter(paper_id=paper.pk).exists()

    settings.SEARCH_INDEX_DIR = node_b
    assert paper.pk in _ranked_ids(paper.title, "keyword")
    sync.catch_up()
    assert paper.pk not in _ranked_ids(paper.title, "keyword")
    assert paper.pk not in _ranked_ids(paper.title, "semantic")


@pytest.mark.django_db(transaction=True)
def test_rolled_back_delete_leaves_no_tombstone(corpus_transactional):
    paper = corpus_transactional[S1]
    before = index_status()
    with pytest.raises(RuntimeError), transaction.atomic():
        Paper.objects.filter(pk=paper.pk).delete()
        raise RuntimeError("changed my mind")
    assert Paper.objects.filter(pk=paper.pk).exists()
    assert not DeletedPaper.objects.exists()
    assert index_status() == before
    assert all(_in_every_ranking(paper).values())


@pytest.mark.django_db(transaction=True)
def test_a_paper_that_exists_again_wins_over_its_tombstone(two_nodes, corpus_transactional):
    paper = corpus_transactional[S1]
    paper_id, title, abstract = paper.pk, paper.title, paper.abstract
    paper.delete()
    assert paper_id not in _ranked_ids(title, "semantic")
    # The same id comes back (a restore, say): indexing it makes it live again ...
    make_paper(id=paper_id, arxiv_id=S1, title=title, abstract=abstract)
    index_papers([paper_id])
    assert paper_id in _ranked_ids(title, "keyword")
    assert paper_id in _ranked_ids(title, "semantic")
    assert paper_id not in _manifest().get("removed", [])
    # ... and neither its old tombstone nor a direct request drops it again.
    assert DeletedPaper.objects.filter(paper_id=paper_id).exists()
    sync.catch_up()
    assert indexer.remove_papers([paper_id]) == 0
    assert paper_id in _ranked_ids(title, "keyword")
    assert paper_id in _ranked_ids(title, "semantic")


def _set_synced_at(when: dt.datetime) -> None:
    with store.write_lock():
        version = store.current_version()
        manifest = store.read_manifest(version)
        manifest["synced_at"] = when.isoformat()
        store.write_manifest(version, manifest)


@pytest.mark.django_db(transaction=True)
def test_node_offline_longer_than_tombstones_are_kept_rebuilds(
    two_nodes, corpus_transactional, settings, caplog
):
    _node_a, node_b = two_nodes
    paper = corpus_transactional[S1]
    now = timezone.now()
    Paper.objects.filter(pk=paper.pk).delete()
    # The deletion happened long ago and its tombstone has been pruned since (node A's loop).
    DeletedPaper.objects.update(deleted_at=now - dt.timedelta(days=tombstones.TOMBSTONE_DAYS + 5))
    sync.catch_up()
    assert not DeletedPaper.objects.exists()

    settings.SEARCH_INDEX_DIR = node_b
    _set_synced_at(now - dt.timedelta(days=tombstones.TOMBSTONE_DAYS + 10))
    old_version = index_status()["version"]
    assert paper.pk in _ranked_ids(paper.title, "keyword")
    with caplog.at_level(logging.WARNING, logger="search.indexer"):
        sync.catch_up()
    assert "rebuilding" in caplog.text
    status = index_status()
    assert status["version"] != old_version  # a whole new version directory
    assert status["documents"] == status["vectors"] == Paper.objects.count()
    assert paper.pk not in _ranked_ids(paper.title, "keyword")
    assert paper.pk not in _ranked_ids(paper.title, "semantic")
    synced = dt.datetime.fromisoformat(_manifest()["synced_at"])
    assert synced >= now


@pytest.mark.django_db(transaction=True)
def test_node_offline_for_days_catches_up_without_rebuilding(
    two_nodes, corpus_transactional, settings
):
    node_a, node_b = two_nodes
    paper = corpus_transactional[S1]
    settings.SEARCH_INDEX_DIR = node_b
    _set_synced_at(timezone.now() - dt.timedelta(days=3))
    old_version = index_status()["version"]
    settings.SEARCH_INDEX_DIR = node_a
    Paper.objects.filter(pk=paper.pk).delete()
    DeletedPaper.objects.update(deleted_at=timezone.now() - dt.timedelta(days=2))

    settings.SEARCH_INDEX_DIR = node_b
    sync.catch_up()
    assert index_status()["version"] == old_version
    assert paper.pk not in _ranked_ids(paper.title, "keyword")
    assert paper.pk not in _ranked_ids(paper.title, "semantic")


@pytest.mark.django_db(transaction=True)
def test_deletion_committed_late_is_still_applied(two_nodes, corpus_transactional, settings):
    """A tombstone stamped just before a catch-up started but committed after it read the
    table: the next catch-up still applies it (tombstones are read with an overlap)."""
    node_a, node_b = two_nodes
    paper = corpus_transactional[R1]
    settings.SEARCH_INDEX_DIR = node_b
    sync.catch_up()
    synced = dt.datetime.fromisoformat(_manifest()["synced_at"])
    settings.SEARCH_INDEX_DIR = node_a
    Paper.objects.filter(pk=paper.pk).delete()
    DeletedPaper.objects.update(deleted_at=synced - dt.timedelta(seconds=30))

    settings.SEARCH_INDEX_DIR = node_b
    sync.catch_up()
    assert paper.pk not in _ranked_ids(paper.title, "keyword")
    assert paper.pk not in _ranked_ids(paper.title, "semantic")


@pytest.mark.django_db(transaction=True)
def test_old_tombstones_are_pruned(corpus_transactional):
    old, recent = list(corpus_transactional.values())[:2]
    Paper.objects.filter(pk__in=[old.pk, recent.pk]).delete()
    DeletedPaper.objects.filter(paper_id=old.pk).update(
        deleted_at=timezone.now() - dt.timedelta(days=tombstones.TOMBSTONE_DAYS + 1)
    )
    sync.catch_up()
    assert list(DeletedPaper.objects.values_list("paper_id", flat=True)) == [recent.pk]


@pytest.mark.django_db(transaction=True)
def test_compaction_drops_removed_vectors_for_good(corpus_transactional, monkeypatch):
    first, second = corpus_transactional[S1], corpus_transactional[R1]
    total = index_status()["vectors"]
    old_base = _manifest()["base"]["segment"]
    first_id = first.pk
    first.delete()
    # Marked removed; the base segment file is written once and still holds the vector.
    assert _manifest()["removed"] == [first_id]
    assert first_id in _base_ids()

    monkeypatch.setattr(indexer, "needs_compaction", lambda version, manifest: True)
    second_id = second.pk
    second.delete()  # this removal merges the segments
    manifest = _manifest()
    assert manifest["removed"] == [] and manifest["deltas"] == []
    assert manifest["base"]["segment"] != old_base
    assert _base_ids().isdisjoint({first_id, second_id})
    assert len(_base_ids()) == total - 2 == index_status()["vectors"]
    version = store.current_version()
    assert (version / f"{old_base}.ids.npy").exists()  # readers of the old manifest still work
    assert first_id not in _ranked_ids(first.title, "semantic")


@pytest.mark.django_db(transaction=True)
def test_deleted_paper_with_a_newer_vector_in_a_delta(corpus_transactional):
    """A paper re-embedded (vector in a delta segment, superseding the base) and then deleted
    is skipped in both segments and counted once."""
    paper = corpus_transactional[S1]
    total = index_status()["vectors"]
    Paper.objects.filter(pk=paper.pk).update(title=paper.title + " (revised)")
    indexer.update_vectors([paper.pk])
    manifest = _manifest()
    assert manifest["deltas"]
    assert index_status()["vectors"] == total
    paper_id = paper.pk
    paper.delete()
    assert index_status()["vectors"] == total - 1
    snapshot = store.READER.snapshot()
    vector = np.asarray(snapshot.vectors.delta_vectors[0])
    assert paper_id not in [pid for pid, _ in snapshot.vectors.search(vector, 10)]


@pytest.mark.parametrize("removed_count", [0, 5, 300, 590])
def test_vector_search_skips_many_removed_ids_exactly(removed_count):
    """However many ids are removed, the result is the exact best of the rest."""
    rng = np.random.default_rng(7)
    ids = np.arange(1, 601, dtype=np.int64)
    vectors = rng.normal(size=(600, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    query = vectors[0]
    order = ids[np.argsort(-(vectors @ query))]
    removed = set(order[:removed_count].tolist())  # the best matches are the ones removed
    vector_set = VectorSet(dim=16, base_ids=ids, base_vectors=vectors, removed=removed)
    expected = [int(i) for i in order if int(i) not in removed][:10]
    assert [pid for pid, _ in vector_set.search(query, 10)] == expected
