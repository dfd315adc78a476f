"""Running the sources: which are enabled and due, one run under the lease, and the loop.

A run claims the source's lease (only one runner per source across nodes), runs the
fetcher, records success or the error with its time, schedules the next run and releases
the lease. ``follow_loop`` repeats this for every due source until stopped.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from sources import arxiv, github, hf
from sources.http import UpstreamError
from sources.models import SourceState
from sources.queries import source_enabled
from sources.run import Run
from sources.services import (
    LeaseLost,
    claim_lease,
    ensure_state,
    record_failure,
    record_success,
    release_lease,
)

FETCHERS: dict[str, Callable[[Run], None]] = {
    "arxiv": arxiv.follow,
    "hf": hf.follow,
    "github": github.follow,
}


def enabled_sources() -> list[str]:
    return [name for name in FETCHERS if source_enabled(name)]


def interval(name: str) -> dt.timedelta:
    minutes = {
        "arxiv": settings.FOLLOW_ARXIV_INTERVAL_MINUTES,
        "hf": settings.FOLLOW_HF_INTERVAL_MINUTES,
        "github": settings.FOLLOW_GITHUB_INTERVAL_MINUTES,
    }[name]
    return dt.timedelta(minutes=minutes)


def runner_id() -> str:
    """Who holds a lease: host, process and a random part (unique per runner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def dead_local_owner(name: str) -> str:
    """The lease holder of ``name`` when it is a process of this host that is gone (killed,
    crashed): its lease need not run out before a restarted runner continues."""
    owner = SourceState.objects.filter(name=name).values_list("lease_owner", flat=True).first()
    host, _, rest = (owner or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return ""
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return owner or ""
    except PermissionError:
        return ""
    return ""


@dataclass
class Outcome:
    name: str
    status: str  # "ok", "failed", "busy" (another runner holds the lease)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    error: str = ""
    messages: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.status == "busy":
            return f"{self.name}: another runner holds the lease; skipped"
        counts = (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {self.rejected}"
        )
        if self.status == "failed":
            return f"{self.name}: FAILED ({counts} before the error): {self.error}"
        return f"{self.name}: {counts}"


def run_source(
    name: str, owner: str | None = None, progress: bool = False, stream: TextIO | None = None
) -> Outcome:
    """One run of ``name`` now (whether due or not), under its lease."""
    owner = owner or runner_id()
    if not claim_lease(name, owner, dead_owner=dead_local_owner(name)):
        return Outcome(name, "busy")
    state = ensure_state(name)
    run = Run(name, owner, dict(state.cursor), progress=progress, stream=stream or sys.stderr)
    try:
        FETCHERS[name](run)
    except (UpstreamError, LeaseLost, DatabaseError) as error:
        return _failed(run, str(error))
    except Exception as error:  # a bug or an odd answer must not stop the other sources
        return _failed(run, f"{type(error).__name__}: {error}")
    finally:
        run.close()
        release_lease(name, owner)
    stats = run.stats
    record_success(name, stats.added, stats.updated, timezone.now() + interval(name))
    outcome = Outcome(name, "ok", stats.added, stats.updated, stats.unchanged, stats.rejected)
    outcome.messages = run.messages
    return outcome


def _failed(run: Run, error: str) -> Outcome:
    stats = run.stats
    retry = timezone.now() + min(
        interval(run.name), dt.timedelta(minutes=settings.FOLLOW_RETRY_MINUTES)
    )
    record_failure(run.name, error, stats.added, stats.updated, retry)
    return Outcome(
        run.name,
        "failed",
        stats.added,
        stats.updated,
        stats.unchanged,
        stats.rejected,
        error,
        run.messages,
    )


def due_sources(now: dt.datetime | None = None) -> list[str]:
    now = now or timezone.now()
    names = enabled_sources()
    next_runs = dict(SourceState.objects.filter(name__in=names).values_list("name", "next_run_at"))
    return [name for name in names if next_runs.get(name) is None or next_runs[name] <= now]


def run_due(progress: bool = False, stream: TextIO | None = None) -> list[Outcome]:
    owner = runner_id()
    return [run_source(name, owner, progress, stream) for name in due_sources()]


def seconds_to_next_run(now: dt.datetime | None = None) -> float:
    now = now or timezone.now()
    names = enabled_sources()
    moments = SourceState.objects.filter(name__in=names).values_list("next_run_at", flat=True)
    if len(moments) < len(names) or any(m is None for m in moments):
        return 0.0
    return max(0.0, min((m - now).total_seconds() for m in moments))


def follow_loop(
    report: Callable[[str], None],
    tick: float = 30.0,
    parent_pid: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    """Run due sources forever (or until ``should_stop``, or the parent process is gone)."""
    while not should_stop():
        try:
            for outcome in run_due():
                report(outcome.line())
            wait = min(tick, seconds_to_next_run())
        except DatabaseError as error:  # the database is away: say so, try again later
            report(f"database unavailable ({error}); retrying in {tick:g} s")
            wait = tick
        deadline = time.monotonic() + max(wait, 1.0)
        while time.monotonic() < deadline:
            if should_stop() or (parent_pid is not None and os.getppid() != parent_pid):
                return
            time.sleep(max(0.0, min(1.0, deadline - time.monotonic())))
