"""Compute the demo papers' vectors so a fresh demo is searchable without running the model.

    .venv/bin/python search/demo/build_vectors.py

Loads ``load_demo`` into a throw-away database, embeds every paper with the configured model
(SEARCH_EMBEDDING_MODEL, a few minutes on 2 cores) and writes ``search/demo/<model>.npz``:
arXiv ids, content hashes (a changed text is re-embedded) and float16 vectors, compressed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["DAILYPAPERS_DATA_DIR"] = data_dir
        os.environ["TASKS_BACKEND"] = "dummy"  # embed once, below, not per import batch
        os.environ["SEARCH_VECTOR_DIRS"] = ""  # no precomputed vectors: compute all afresh
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from search import demo_vectors, indexer

        call_command("migrate", verbosity=0)
        call_command("load_demo", "--no-progress")
        done = [0]

        def progress(n: int) -> None:
            done[0] += n
            if done[0] % 500 < n:
                print(f"embedded {done[0]}", flush=True)

        indexer.rebuild(progress=progress)
        out = HERE / f"{settings.SEARCH_EMBEDDING_MODEL}.npz"
        print(f"wrote {demo_vectors.export_demo_vectors(out)} vectors to {out}")


if __name__ == "__main__":
    main()
