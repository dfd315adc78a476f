"""Web requests never wait on the index write lock, and read paths never embed or write.

A rebuild holds the lock for minutes at 1M papers; a curator action, a submission or an
import commit only enqueues the index work, which gives up while the lock is held and is
done by the next catch-up. Digests and paper pages only read stored vectors.
"""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from papers.importers.records import AuthorRecord, PaperRecord
from papers.models import Paper
from papers.services import upsert_papers
from search import embedding, store, sync
from search.models import PaperEmbedding
from search.service import SearchQuery, rank_papers, search, similar_papers
from tests.factories import make_entry, make_user

pytestmark = pytest.mark.django_db


def finishes_while_locked(action: Callable[[], object], seconds: float = 8) -> float:
    """Run ``action`` while the index write lock is held, as a rebuild in another process
    holds it; returns how long it took. The lock is let go after ``seconds`` at the latest,
    so an action that waits for it shows up as slow rather than hanging the test."""
    with open(store.index_dir() / ".write.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        release = threading.Timer(seconds, fcntl.flock, (handle, fcntl.LOCK_UN))
        release.start()
        try:
            started = time.perf_counter()
            action()
            took = time.perf_counter() - started
        finally:
            release.cancel()
            fcntl.flock(handle, fcntl.LOCK_UN)
    assert took < seconds / 2, f"waited {took:.1f} s for the index lock"
    return took


def _record(arxiv_id: str, title: str) -> PaperRecord:
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=title,
        source="jsonl",
        abstract="Quasar spectra classified by zygomorphic tokenizers.",
        authors=[AuthorRecord("Vera Rubin")],
    )


def _keyword_ids(q: str) -> list[str]:
    return [h.paper.arxiv_id for h in search(SearchQuery(q=q, mode="keyword")).hits]


def test_an_import_commit_does_not_wait_and_the_catch_up_indexes_it(
    corpus, django_capture_on_commit_callbacks
):
    sync.catch_up()  # the loop has run once: it knows the corpus

    def commit() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            upsert_papers([_record("2512.00001", "Zygomorphic tokenizers")])

    finishes_while_locked(commit)
    assert Paper.objects.filter(arxiv_id="2512.00001").exists()
    assert _keyword_ids("zygomorphic quasar") == []  # left to the catch-up
    counts = sync.catch_up()
    assert counts.keyword >= 1
    assert _keyword_ids("zygomorphic quasar") == ["2512.00001"]


def test_a_curator_hide_returns_while_the_index_is_locked(
    corpus, django_capture_on_commit_callbacks
):
    curator = make_user("curator")
    curator.groups.add(Group.objects.get(name="curator"))
    client = Client()
    client.force_login(curator)
    entry = make_entry(corpus["2501.12948"], "2025-01-21")
    url = reverse("community:curate_entry", args=[entry.pk])
    responses = []

    def hide() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            responses.append(client.post(url, {"action": "hide"}))

    finishes_while_locked(hide)
    assert responses[0].status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.hidden


QUERY = "reasoning"


@pytest.fixture
def no_model(monkeypatch, settings) -> list[list[str]]:
    """Records every text list the embedding model is asked to embed other than the query
    (and refuses to embed those)."""
    calls: list[list[str]] = []
    model = embedding.get_embedder(settings.SEARCH_EMBEDDING_MODEL)
    real = model.embed

    def only_queries(texts):
        if list(texts) == [QUERY]:
            return real(texts)
        calls.append(list(texts))
        raise AssertionError("a read path ran the embedding model on papers")

    monkeypatch.setattr(model, "embed", only_queries)
    return calls


def test_similar_papers_and_rank_papers_only_read(corpus, no_model):
    paper = corpus["2501.12948"]
    # A paper whose text changed since its vector was stored: no current vector.
    Paper.objects.filter(pk=paper.pk).update(abstract="A new abstract nobody embedded yet.")
    rows = PaperEmbedding.objects.count()
    assert similar_papers(Paper.objects.get(pk=paper.pk)) == []
    ids = [*[p.pk for p in corpus.values()][:20], paper.pk]
    ranked = rank_papers(QUERY, ids)  # embeds the query, never a paper
    assert {pid for pid, _ in ranked} == set(ids)
    assert PaperEmbedding.objects.count() == rows
    assert no_model == []
    other = next(p for p in corpus.values() if p.pk != paper.pk)
    assert similar_papers(other)  # a paper with a stored vector has neighbours
