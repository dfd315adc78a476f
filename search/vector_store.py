"""Stored embeddings: one ``PaperEmbedding`` row per (paper, model), valid while its content
hash matches the paper's text. Background work computes and stores missing vectors
(:func:`ensure_embeddings`); read paths only read them (:func:`stored_vectors`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from search.demo_vectors import shipped_vectors
from search.embedding import get_embedder
from search.models import PaperEmbedding
from search.texts import PaperText, content_hash, model_name

EMBED_BATCH = 64

Progress = Callable[[int], None]


def _stored_rows(texts: list[PaperText], model: str) -> dict[int, np.ndarray]:
    """Row index -> float16 vector for the texts that have a vector stored for this text."""
    rows = PaperEmbedding.objects.filter(model_name=model, paper_id__in=[t.paper_id for t in texts])
    stored = {
        pid: (digest, blob)
        for pid, digest, blob in rows.values_list("paper_id", "content_hash", "vector")
    }
    found = {}
    for row, text in enumerate(texts):
        hit = stored.get(text.paper_id)
        if hit is not None and hit[0] == content_hash(text.embed_text):
            found[row] = np.frombuffer(bytes(hit[1]), dtype=np.float16)
    return found


def stored_vectors(texts: list[PaperText]) -> dict[int, np.ndarray]:
    """Paper id -> stored vector (float32) of the texts that have a current one (stored for
    this text, or shipped with the demo). Reads only: never runs the model, never writes;
    missing vectors are computed by background work (``search.sync.catch_up``)."""
    model = model_name()
    found = {
        texts[row].paper_id: v.astype(np.float32) for row, v in _stored_rows(texts, model).items()
    }
    demo = shipped_vectors(model)
    for text in texts:
        key = (text.arxiv_id, content_hash(text.embed_text))
        if text.paper_id not in found and key in demo:
            found[text.paper_id] = np.asarray(demo[key], dtype=np.float32)
    return found


def ensure_embeddings(texts: list[PaperText], progress: Progress | None = None) -> np.ndarray:
    """Vectors (float32, one row per text), embedding and storing those not stored yet (for
    background work: indexing, rebuilds, catch-up)."""
    model = model_name()
    hashes = [content_hash(t.embed_text) for t in texts]
    known = _stored_rows(texts, model)
    vectors = np.zeros((len(texts), get_embedder(model).dim), dtype=np.float32)
    missing = [row for row in range(len(texts)) if row not in known]
    for row, vector in known.items():
        vectors[row] = vector
    demo = shipped_vectors(model)
    to_embed = []
    for row in missing:
        shipped = demo.get((texts[row].arxiv_id, hashes[row]))
        if shipped is None:
            to_embed.append(row)
        else:
            vectors[row] = shipped  # not in the table yet: stored below, but not embedded
    for start in range(0, len(to_embed), EMBED_BATCH):
        batch = to_embed[start : start + EMBED_BATCH]
        vectors[batch] = get_embedder(model).embed([texts[r].embed_text for r in batch])
        if progress:
            progress(len(batch))
    _save_embeddings(model, [(texts[r].paper_id, hashes[r], vectors[r]) for r in missing])
    return vectors


def _save_embeddings(model: str, rows: list[tuple[int, str, np.ndarray]]) -> None:
    objs = [
        PaperEmbedding(
            paper_id=pid, model_name=model, content_hash=h, vector=v.astype(np.float16).tobytes()
        )
        for pid, h, v in rows
    ]
    PaperEmbedding.objects.bulk_create(
        objs,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["paper", "model_name"],
        update_fields=["content_hash", "vector", "created_at"],
    )
