"""Precomputed vectors shipped with the demo data (``search/demo/<model>.npz``), so a fresh
demo is searchable at once without running the embedding model, and their export."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from django.conf import settings

from search.models import PaperEmbedding
from search.texts import model_name

DEMO_DIR = Path(__file__).resolve().parent / "demo"


def shipped_vectors(model: str) -> dict[tuple[str, str], np.ndarray]:
    """Precomputed vectors keyed by (arXiv id, content hash), from the ``<model>.npz`` files
    of the ``SEARCH_VECTOR_DIRS`` setting (read at each call); empty when there are none."""
    directories = settings.SEARCH_VECTOR_DIRS
    return _load_vector_files(tuple(Path(d) / f"{model}.npz" for d in directories))


@cache
def _load_vector_files(paths: tuple[Path, ...]) -> dict[tuple[str, str], np.ndarray]:
    found: dict[tuple[str, str], np.ndarray] = {}
    for path in paths:
        if path.exists():
            with np.load(path) as data:
                keys = zip(data["arxiv_ids"].tolist(), data["hashes"].tolist(), strict=True)
                found.update(zip(keys, data["vectors"], strict=True))
    return found


def export_demo_vectors(path: Path) -> int:
    """Write the stored vectors of every paper (arXiv id, content hash, float16 vector) to a
    compressed .npz that ``ensure_embeddings`` uses instead of running the model."""
    model = model_name()
    rows = PaperEmbedding.objects.filter(model_name=model).select_related("paper")
    arxiv_ids, hashes, vectors = [], [], []
    for row in rows.iterator(chunk_size=2000):
        arxiv_ids.append(row.paper.arxiv_id)
        hashes.append(row.content_hash)
        vectors.append(np.frombuffer(bytes(row.vector), dtype=np.float16))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        arxiv_ids=np.array(arxiv_ids, dtype=str),
        hashes=np.array(hashes, dtype=str),
        vectors=np.array(vectors, dtype=np.float16).reshape(len(vectors), -1),
    )
    return len(arxiv_ids)
