"""A restore replaces rows wholesale (old ``updated_at`` stamps, no tombstones): the next
catch-up of every node must rebuild its index instead of missing the change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from papers.models import Paper
from search import indexer, store, sync, tombstones
from search.service import SearchQuery, database_replaced, search

TITLE = "Zygomorphic tokenizers for quasar spectra"


def _keyword_ids(q: str) -> list[int]:
    return [hit.paper.pk for hit in search(SearchQuery(q=q, mode="keyword")).hits]


def _restore_like_change(paper: Paper) -> None:
    """What a restore does to a row: new content with a stamp older than the last sync."""
    old = timezone.now() - dt.timedelta(days=3)
    Paper.objects.filter(pk=paper.pk).update(title=TITLE, updated_at=old)


def test_a_catch_up_misses_old_stamped_rows_without_a_new_epoch(corpus):
    paper = next(iter(corpus.values()))
    _restore_like_change(paper)
    sync.catch_up()
    assert paper.pk not in _keyword_ids("zygomorphic quasar")  # why the epoch exists


def test_a_new_epoch_makes_the_next_catch_up_rebuild(corpus):
    paper = next(iter(corpus.values()))
    before = store.current_version()
    _restore_like_change(paper)
    database_replaced()
    counts = sync.catch_up()
    assert counts.keyword == len(corpus)  # every paper re-indexed: a rebuild
    assert store.current_version() != before
    assert _keyword_ids("zygomorphic quasar") == [paper.pk]
    manifest = store.read_manifest(store.current_version())
    assert manifest["epoch"] == tombstones.current_epoch() != ""
    # The new copy is of the current epoch: the loop goes back to incremental catch-ups.
    rebuilt = store.current_version()
    assert sync.catch_up().keyword == 0
    assert store.current_version() == rebuilt


def test_an_index_from_before_epochs_is_not_rebuilt(corpus):
    # Manifests written before this feature have no epoch; neither has a never-restored DB.
    version = store.current_version()
    with store.write_lock():
        manifest = store.read_manifest(version)
        manifest.pop("epoch", None)
        store.write_manifest(version, manifest)
    assert tombstones.current_epoch() == ""
    assert sync.catch_up().keyword == 0
    assert store.current_version() == version


@pytest.mark.django_db(transaction=True)
def test_a_restore_during_a_catch_up_is_caught_by_the_next(corpus_transactional, monkeypatch):
    paper = next(iter(corpus_transactional.values()))
    real_apply = sync.apply_tombstones

    def restore_meanwhile(since):
        _restore_like_change(paper)
        database_replaced()
        return real_apply(since)

    monkeypatch.setattr(sync, "apply_tombstones", restore_meanwhile)
    sync.catch_up()  # started under the old epoch: records that one
    monkeypatch.setattr(sync, "apply_tombstones", real_apply)
    assert paper.pk not in _keyword_ids("zygomorphic quasar")
    sync.catch_up()
    assert _keyword_ids("zygomorphic quasar") == [paper.pk]


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_during_a_catch_up_keeps_its_own_epoch(corpus_transactional, monkeypatch):
    real_apply = sync.apply_tombstones

    def restore_and_rebuild_meanwhile(since):
        database_replaced()
        indexer.rebuild()  # what `manage.py restore` does on the restoring machine
        return real_apply(since)

    monkeypatch.setattr(sync, "apply_tombstones", restore_and_rebuild_meanwhile)
    sync.catch_up()  # started under the old epoch, finished on the rebuilt version
    monkeypatch.setattr(sync, "apply_tombstones", real_apply)
    assert store.read_manifest(store.current_version())["epoch"] == tombstones.current_epoch()
    rebuilt = store.current_version()
    assert sync.catch_up().keyword == 0  # no second rebuild
    assert store.current_version() == rebuilt
