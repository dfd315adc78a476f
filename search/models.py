"""Embeddings stored with the paper: the database keeps them so index files can be rebuilt
without re-running the model (the slow part), and a model change is detected per row."""

from __future__ import annotations

import numpy as np
from django.db import models

from papers.models import Paper


class PaperEmbedding(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="embeddings")
    model_name = models.CharField(max_length=64)
    # Hash of the embedded text: a changed title or abstract means the vector is stale.
    content_hash = models.CharField(max_length=16)
    vector = models.BinaryField(help_text="float16, L2-normalised")
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "model_name"], name="unique_paper_model")
        ]
        # The catch-up reads the vectors stored since its last run (search/indexer.py).
        indexes = [models.Index(fields=["model_name", "created_at"], name="embedding_model_time")]

    def __str__(self) -> str:
        return f"{self.model_name} vector of paper {self.paper_id}"

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float16).astype(np.float32)


class DeletedPaper(models.Model):
    """A tombstone: this paper was deleted, so every node must drop it from its index files.

    Written in the deleting transaction (``search.signals.on_paper_deleted``); each node's
    ``search_index update`` applies the ones newer than its last sync. Kept for
    ``tombstones.TOMBSTONE_DAYS``; a node that has not synced for longer rebuilds instead.
    Not a foreign key: the paper is gone. Should a paper with this id exist again, the paper
    wins and the tombstone is ignored.
    """

    paper_id = models.BigIntegerField(primary_key=True)
    deleted_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"paper {self.paper_id} deleted at {self.deleted_at:%Y-%m-%d %H:%M}"


class SearchEpoch(models.Model):
    """Which copy of the database the index files are built from (one row, pk 1).

    A restore replaces every row at once, with old ``updated_at`` stamps and no tombstones, so
    a catch-up would miss what changed. It therefore gets a new token (``tombstones.new_epoch``);
    a node whose index records another token rebuilds it from the database on its next
    catch-up. No row (never restored) is the token "".
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"database epoch {self.token} since {self.changed_at:%Y-%m-%d %H:%M}"
