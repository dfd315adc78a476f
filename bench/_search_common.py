"""Helpers shared by the search benchmarks: a throw-away Django data dir, BEIR loading and
importing a BEIR corpus through the project's own importer."""

from __future__ import annotations

import gzip
import json
import math
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
CACHE = Path(tempfile.gettempdir()) / "dailypapers-bench-cache"


def setup_django(data_dir: str | None = None, tasks_backend: str = "dummy") -> str:
    """Point Django at a fresh data dir (SQLite + index) and migrate; returns the dir."""
    data_dir = data_dir or tempfile.mkdtemp(prefix="dailypapers-bench-")
    os.environ["DAILYPAPERS_DATA_DIR"] = data_dir
    os.environ["TASKS_BACKEND"] = tasks_backend  # embed in bulk afterwards, with progress
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return data_dir


def reuse_1m_data_dir(data_dir: str) -> str:
    """Set Django up on a data dir written by ``search_latency.py --scale 1m`` (read only)."""
    if not (Path(data_dir) / "index" / "CURRENT").exists():
        sys.exit(f"{data_dir} has no search index; run bench/search_latency.py --scale 1m first")
    return setup_django(data_dir)


def require(path: Path) -> Path:
    if not path.exists():
        sys.exit(f"data not found: {path} (benchmarks read ../shared/data; see bench/README)")
    return path


def open_text(path: Path):
    return gzip.open(path, "rt") if path.suffix == ".gz" else open(path)


def read_jsonl(path: Path) -> Iterator[dict]:
    with open_text(path) as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with open_text(path) as handle:
        for line in handle:
            parts = line.strip().split("\t")
            if len(parts) != 3 or not parts[2].isdigit():
                continue  # header
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def beir_arxiv_id(index: int) -> str:
    """BEIR ids are not arXiv ids; documents get synthetic new-style ids in order."""
    return f"{1001 + index // 90000:04d}.{10000 + index % 90000:05d}"


def import_beir_corpus(corpus: Path, doc_ids: set[str] | None = None) -> dict[str, str]:
    """Import a BEIR corpus through ``import_jsonl`` (the generic importer); returns
    arXiv id -> BEIR id. Falls back to the write service if the command is missing."""
    from django.core.management import call_command, get_commands

    mapping: dict[str, str] = {}
    converted = Path(tempfile.mkdtemp()) / "corpus.jsonl"
    with open(converted, "w") as out:
        for doc in read_jsonl(corpus):
            if doc_ids is not None and doc["_id"] not in doc_ids:
                continue
            arxiv_id = beir_arxiv_id(len(mapping))
            mapping[arxiv_id] = doc["_id"]
            title = doc.get("title") or doc["text"][:80]
            record = {"id": arxiv_id, "title": title, "abstract": doc["text"]}
            out.write(json.dumps(record) + "\n")
    if "import_jsonl" in get_commands():
        call_command("import_jsonl", str(converted), verbosity=0)
    else:
        print("NOTE: import_jsonl not available yet; used papers.services.upsert_papers")
        _import_with_service(converted)
    return mapping


def add_vector_dir(directory: Path) -> None:
    """Let the index use the ``<model>.npz`` vector files of ``directory`` (written by
    ``search.demo_vectors.export_demo_vectors``) instead of running the model for them."""
    from django.conf import settings
    from django.test import override_settings

    override_settings(SEARCH_VECTOR_DIRS=[*settings.SEARCH_VECTOR_DIRS, directory]).enable()


def import_and_index(corpus: Path) -> dict[str, str]:
    """Import a BEIR corpus and build the index, vectors cached under
    ``CACHE/<corpus folder name>``; returns arXiv id -> BEIR id."""
    import time

    from django.conf import settings

    from search import demo_vectors, indexer

    cache_dir = CACHE / corpus.parent.name
    add_vector_dir(cache_dir)
    started = time.perf_counter()
    mapping = import_beir_corpus(corpus)
    indexer.rebuild()
    demo_vectors.export_demo_vectors(cache_dir / f"{settings.SEARCH_EMBEDDING_MODEL}.npz")
    print(f"{len(mapping)} documents imported and indexed in {time.perf_counter() - started:.0f} s")
    return mapping


def _import_with_service(path: Path) -> None:
    from papers.importers.records import PaperRecord
    from papers.services import upsert_papers

    records = (
        PaperRecord(arxiv_id=r["id"], title=r["title"], abstract=r["abstract"], source="jsonl")
        for r in read_jsonl(path)
    )
    upsert_papers(records)


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    dcg = sum(
        (2 ** relevant.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:k])
    )
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int = 100) -> float:
    hits = len(set(ranked[:k]) & {d for d, g in relevant.items() if g > 0})
    return hits / max(1, sum(1 for g in relevant.values() if g > 0))
