"""Keeping the indexes current when papers change (connected in ``SearchConfig.ready``)."""

from __future__ import annotations

import logging

from search import indexer

log = logging.getLogger(__name__)


def on_papers_changed(sender, paper_ids: list[int] | None = None, **kwargs) -> None:
    """Index keywords now (milliseconds) and queue the embedding (seconds to minutes).

    A search failure must never fail the import that triggered it: the database is the source
    of truth and ``search_index update`` repairs the indexes later, so errors are logged.
    """
    ids = sorted({int(pid) for pid in paper_ids or []})
    if not ids:
        return
    try:
        indexer.update_keywords(ids)
    except Exception:
        log.exception("keyword indexing of %d papers failed; run `search_index update`", len(ids))
    try:
        from search.tasks import embed_papers

        embed_papers.enqueue(ids)
    except Exception:
        log.exception("embedding of %d papers failed; run `search_index update`", len(ids))
