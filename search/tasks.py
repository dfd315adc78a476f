"""Background work: embedding new papers is slow (~20 abstracts/s), so the import that sent
``papers_changed`` updates the keyword index inline and leaves the vectors to this task
(run inline by the default ImmediateBackend, or by a worker with the database backend;
``search_index update --loop`` catches up on anything a task missed)."""

from __future__ import annotations

from django_tasks import task

from search import indexer


@task()
def embed_papers(paper_ids: list[int]) -> int:
    """Embed these papers and add them to the vector index; returns how many were added."""
    return indexer.update_vectors([int(pid) for pid in paper_ids])
