"""``manage.py follow`` and ``dailypapers follow``: one pass, exit codes with the reasons."""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from dailypapers.cli import main
from sources.follow import follow_loop, seconds_to_next_run
from sources.models import SourceState
from tests.sources.upstream import RawPaper

pytestmark = pytest.mark.django_db
NOW = "2026-12-03 12:00:00+00:00"


def follow(*args: str) -> str:
    out = StringIO()
    call_command("follow", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@time_machine.travel(NOW, tick=False)
def test_once_runs_every_due_source_then_nothing_is_due(upstream, settings):
    settings.FOLLOW_HF_BACKFILL_DAYS = 0
    upstream.oai_records = [RawPaper("2612.00001", "One", "cs.CL")]
    out = follow("--once", "--no-progress")
    assert "follow arxiv: added 1, updated 0" in out
    assert "follow hf: added 0" in out and "follow github: added 0" in out
    assert set(SourceState.objects.values_list("name", flat=True)) == {"arxiv", "hf", "github"}
    assert "no source is due" in follow("--once")
    # --source runs it now although it is not due; nothing changed since the last harvest
    assert "follow arxiv: added 0, updated 0, unchanged 0" in follow("--once", "--source", "arxiv")


@time_machine.travel(NOW, tick=False)
def test_a_failed_source_exits_non_zero_with_the_reason(upstream):
    for _ in range(3):
        upstream.fault("oai", lambda: (503, {"Retry-After": "0"}, b"down"))
    with pytest.raises(
        CommandError, match=r"1 source\(s\) failed: arxiv: arXiv OAI-PMH unavailable"
    ):
        follow("--once", "--source", "arxiv")
    state = SourceState.objects.get(name="arxiv")
    assert "HTTP 503" in state.last_error and state.next_run_at is not None


def test_nothing_enabled_is_a_clear_error(settings):
    settings.FOLLOW_ARXIV_CATEGORIES, settings.FOLLOW_HF, settings.FOLLOW_GITHUB = [], False, False
    with pytest.raises(CommandError, match="no source is enabled: set FOLLOW_ARXIV_CATEGORIES"):
        follow("--once")
    with pytest.raises(CommandError, match="the hf source is not enabled"):
        follow("--source", "hf")


@time_machine.travel(NOW, tick=False)
def test_the_cli_has_the_same_command(upstream, capsys):
    upstream.oai_records = [RawPaper("2612.00001", "One", "cs.CL")]
    assert main(["follow", "--once", "--source", "arxiv", "--no-progress"]) == 0
    assert "follow arxiv: added 1" in capsys.readouterr().out
    upstream.fault("oai", lambda: (400, {}, b"no"))
    assert main(["follow", "--once", "--source", "arxiv"]) == 1
    assert "refused the request: HTTP 400" in capsys.readouterr().err


@time_machine.travel(NOW, tick=True)
def test_the_loop_runs_the_due_sources_until_stopped(upstream, settings):
    settings.FOLLOW_HF_BACKFILL_DAYS = 0
    upstream.oai_records = [RawPaper("2612.00001", "One", "cs.CL")]
    lines: list[str] = []
    follow_loop(lines.append, tick=1.0, should_stop=lambda: len(lines) >= 3)
    assert sorted(line.split(":")[0] for line in lines) == ["arxiv", "github", "hf"]
    assert seconds_to_next_run() > 50 * 60  # every source is scheduled an interval ahead


@time_machine.travel(NOW, tick=False)
def test_a_catch_up_shows_a_progress_bar(upstream):
    upstream.oai_records = [RawPaper(f"2612.{n:05d}", f"Paper {n}", "cs.CL") for n in range(6)]
    err = StringIO()
    call_command("follow", "--once", "--source", "arxiv", stdout=StringIO(), stderr=err)
    assert "follow arxiv" in err.getvalue() and "6/6" in err.getvalue()  # completeListSize
