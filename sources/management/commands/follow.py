"""``manage.py follow``: fetch new papers from the enabled live sources.

manage.py follow --once                 # every due source once; non-zero exit on failure
manage.py follow --once --source arxiv  # that source now, due or not
manage.py follow                        # loop on the schedule from the settings
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sources.follow import FETCHERS, enabled_sources, follow_loop, run_due, run_source
from sources.queries import source_enabled


class Command(BaseCommand):
    help = "Fetch new papers from arXiv, Hugging Face and GitHub (the sources that are enabled)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--source", choices=sorted(FETCHERS), help="run this source now")
        parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
        parser.add_argument("--tick", type=float, default=30.0, help="loop: longest sleep (s)")
        parser.add_argument(
            "--exit-with-parent",
            type=int,
            metavar="PID",
            help="loop: stop when process PID is no longer the parent (used by `serve`)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"]
        if source and not source_enabled(source):
            raise CommandError(f"the {source} source is not enabled ({_how_to_enable(source)})")
        if not source and not enabled_sources():
            raise CommandError(
                "no source is enabled: set FOLLOW_ARXIV_CATEGORIES, FOLLOW_HF=true or "
                "FOLLOW_GITHUB=true (docs/deploy.md)"
            )
        if options["once"] or source:
            self._once(source, progress=not options["no_progress"] and options["verbosity"] > 0)
            return
        self.stdout.write(f"follow: following {', '.join(enabled_sources())}")
        try:
            follow_loop(self._report, options["tick"], options["exit_with_parent"])
        except KeyboardInterrupt:
            self.stdout.write("follow: stopped")

    def _once(self, source: str | None, progress: bool) -> None:
        stream = self.stderr._out
        outcomes = [run_source(source, progress=progress, stream=stream)] if source else None
        outcomes = outcomes or run_due(progress=progress, stream=stream)
        if not outcomes:
            self.stdout.write("follow: no source is due")
        for outcome in outcomes:
            self._report(outcome.line())
        failed = [o for o in outcomes if o.status == "failed"]
        if failed:
            reasons = "; ".join(f"{o.name}: {o.error}" for o in failed)
            raise CommandError(f"{len(failed)} source(s) failed: {reasons}")

    def _report(self, line: str) -> None:
        self.stdout.write(f"follow {line}")
        self.stdout.flush()


def _how_to_enable(source: str) -> str:
    return {
        "arxiv": "set FOLLOW_ARXIV_CATEGORIES, e.g. cs.CL,cs.LG",
        "hf": "set FOLLOW_HF=true",
        "github": "set FOLLOW_GITHUB=true",
    }[source]
