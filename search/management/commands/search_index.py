"""``search_index rebuild|update [--loop]|status|export-demo-vectors``: maintain search indexes."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from papers.models import Paper
from search import demo_vectors, indexer, store, sync, texts


class Command(BaseCommand):
    help = "Rebuild, update or inspect the search indexes (derived from the database)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="Rebuild everything into a new directory, atomically.")
        update = sub.add_parser("update", help="Index papers changed or not yet embedded.")
        update.add_argument("--loop", action="store_true", help="Keep running (a worker).")
        update.add_argument("--interval", type=float, default=10.0, help="Seconds between runs.")
        sub.add_parser("status", help="Show what the live index holds.")
        export = sub.add_parser("export-demo-vectors", help="Write stored vectors to a .npz.")
        export.add_argument("--out", type=Path, default=None)

    def handle(self, *args, action: str, **options) -> None:
        if action == "rebuild":
            self._rebuild()
        elif action == "update":
            self._update(options["loop"], options["interval"])
        elif action == "status":
            self._status()
        else:
            self._export(options["out"])

    def _progress_bar(self, total: int, what: str) -> tqdm:
        return tqdm(total=total, unit=" abstracts", desc=what, disable=total == 0)

    def _rebuild(self) -> None:
        from search.models import PaperEmbedding

        total = Paper.objects.count()
        have = PaperEmbedding.objects.filter(model_name=texts.model_name()).count()
        with self._progress_bar(max(0, total - have), "embedding") as bar:
            version = indexer.rebuild(progress=bar.update)
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {total} papers into {version}"))

    def _update(self, loop: bool, interval: float) -> None:
        if interval <= 0:
            raise CommandError("--interval must be positive")
        while True:
            with self._progress_bar(0, "embedding") as bar:
                done = sync.catch_up(progress=bar.update)
            if any(done) or not loop:
                self.stdout.write(
                    f"keyword: {done.keyword} papers, vectors: {done.vectors} papers, "
                    f"removed: {done.removed} deleted papers"
                )
            if not loop:
                return
            time.sleep(interval)

    def _status(self) -> None:
        version = store.current_version()
        if version is None:
            self.stdout.write("No index yet: run `search_index rebuild`.")
            return
        snap = store.READER.snapshot()
        manifest = snap.manifest
        docs = snap.keyword_index.searcher().num_docs if snap.keyword_index else 0
        self.stdout.write(f"version: {version}")
        self.stdout.write(f"model: {manifest.get('model')}  generation: {manifest['generation']}")
        self.stdout.write(f"keyword documents: {docs}  vectors: {snap.vectors.count}")
        self.stdout.write(f"ANN graph: {bool(snap.vectors.ann)}  deltas: {len(manifest['deltas'])}")
        self.stdout.write(f"papers in database: {Paper.objects.count()}")

    def _export(self, out: Path | None) -> None:
        path = out or demo_vectors.DEMO_DIR / f"{texts.model_name()}.npz"
        count = demo_vectors.export_demo_vectors(path)
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} vectors to {path}"))
