"""Rebuilds and updates publish atomically: readers keep answering throughout."""

from __future__ import annotations

import threading

import pytest

from search import store
from search.service import SearchQuery, rebuild_index, search
from search.store import Reader


@pytest.mark.django_db(transaction=True)
def test_searches_succeed_during_rebuilds(corpus_transactional):
    # Committed data (transactional), so the reader thread's own connection sees the papers.
    errors: list[BaseException] = []
    counts: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        from django.db import connection

        try:
            while not stop.is_set():
                counts.append(len(search(SearchQuery(q="diffusion", mode="keyword")).hits))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for _ in range(3):
            rebuild_index()
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert counts and min(counts) > 0


def test_another_process_reader_follows_a_rebuild(corpus):
    other = Reader()  # stands for another server process's cache
    before = other.snapshot().version
    rebuild_index()
    after = other.snapshot().version
    assert after != before
    assert after == store.current_version()
    assert other.snapshot().keyword_index.searcher().num_docs == len(corpus)


def test_old_versions_are_cleaned_up(corpus, settings):
    for _ in range(3):
        rebuild_index()
    versions = [p for p in settings.SEARCH_INDEX_DIR.glob("v-*") if p.is_dir()]
    assert len(versions) == 1 + store.KEEP_OLD_VERSIONS


def test_a_reader_reopens_vectors_only_when_their_segments_change(corpus):
    from papers.models import Paper
    from search import indexer

    other = Reader()
    vectors = other.snapshot().vectors
    paper = Paper.objects.order_by("pk").first()
    Paper.objects.filter(pk=paper.pk).update(title="Zygomorphic tokenizers for quasar spectra")
    indexer.update_keywords([paper.pk])  # a keyword-only write replaces the manifest
    snapshot = other.snapshot()
    assert snapshot.vectors is vectors  # segments untouched: nothing reopened
    assert snapshot.manifest == store.read_manifest(store.current_version())
    hits = search(SearchQuery(q="zygomorphic quasar", mode="keyword")).hits
    assert [h.paper.pk for h in hits] == [paper.pk]  # ... yet the keyword change is visible
    indexer.update_vectors([paper.pk])  # a new delta segment
    assert other.snapshot().vectors is not vectors
    assert paper.pk in set(other.snapshot().vectors.delta_ids.tolist())


def test_a_rebuild_writes_the_keyword_index_as_one_segment(corpus):
    # Each indexing thread would write its own segment (two for this corpus), and a query
    # reads every word's postings once per segment.
    searcher = store.READER.snapshot().keyword_index.searcher()
    assert searcher.num_segments == 1
    assert searcher.num_docs == len(corpus)
