"""Following Hugging Face Daily Papers and GitHub stars against the fake upstream."""

from __future__ import annotations

import copy

import pytest
import time_machine

from papers.models import DailyEntry, Paper
from sources.follow import run_source
from sources.models import GithubRepo, SourceState
from tests.sources.upstream import FakeUpstream, hf_fixture

pytestmark = pytest.mark.django_db
DAYS = ("2026-08-19", "2026-08-20", "2026-08-21")


def hf_days(fake: FakeUpstream) -> None:
    fake.hf_days = {day: hf_fixture(day) for day in DAYS}


@time_machine.travel("2026-08-21 15:00:00+00:00", tick=False)
def test_first_run_backfills_days_and_puts_papers_on_their_day(upstream, settings):
    settings.FOLLOW_HF_BACKFILL_DAYS = 2
    hf_days(upstream)
    outcome = run_source("hf")
    assert outcome.status == "ok", outcome.error
    asked = [p["date"] for path, p, _ in upstream.requests if path == "/api/daily_papers"]
    assert asked == list(DAYS)
    assert Paper.objects.count() == 12 and outcome.added == 12
    assert set(DailyEntry.objects.values_list("date", flat=True).distinct()) == {
        __import__("datetime").date.fromisoformat(day) for day in DAYS
    }
    top = Paper.objects.get(arxiv_id="2608.19880")
    assert (top.upvotes, top.imported_upvotes) == (163, 163)
    assert SourceState.objects.get(name="hf").cursor == {"last_day": "2026-08-21"}


@time_machine.travel("2026-08-21 15:00:00+00:00", tick=False)
def test_rereads_recent_days_and_refreshes_counts_keeping_local_votes(upstream, settings):
    settings.FOLLOW_HF_BACKFILL_DAYS = 2
    settings.FOLLOW_HF_REREAD_DAYS = 1
    hf_days(upstream)
    run_source("hf")
    Paper.objects.filter(arxiv_id="2608.19880").update(upvotes=165)  # two local votes
    changed = copy.deepcopy(upstream.hf_days)
    changed["2026-08-21"][0]["paper"]["upvotes"] = 200
    changed["2026-08-21"][0]["paper"]["ai_summary"] = "A fresher summary."
    upstream.hf_days = changed
    upstream.requests.clear()
    outcome = run_source("hf")
    assert outcome.status == "ok", outcome.error
    asked = [p["date"] for path, p, _ in upstream.requests if path == "/api/daily_papers"]
    assert asked == ["2026-08-20", "2026-08-21"]
    paper = Paper.objects.get(arxiv_id="2608.19880")
    assert (paper.upvotes, paper.imported_upvotes) == (202, 200)
    assert paper.ai_summary == "A fresher summary."
    assert Paper.objects.count() == 12 and outcome.added == 0 and outcome.updated == 1


@pytest.mark.parametrize(
    ("fault", "times"),
    [
        (lambda: (200, {"Content-Type": "application/json"}, b'[{"paper": {"id": "26'), 1),
        (lambda: (429, {"Retry-After": "0"}, b"slow down"), 3),
        (lambda: (503, {}, b"down"), 3),
    ],
    ids=["malformed JSON", "429", "503"],
)
@time_machine.travel("2026-08-21 15:00:00+00:00", tick=False)
def test_after_a_fault_the_next_run_completes_without_loss_or_duplicates(
    upstream, settings, fault, times
):
    settings.FOLLOW_HF_BACKFILL_DAYS = 2
    hf_days(upstream)
    upstream.fault("api", lambda: None)  # the first day answers normally
    for _ in range(times):  # the second day misbehaves, on every retry of a 503/429 too
        upstream.fault("api", fault)
    first = run_source("hf")
    assert first.status == "failed" and first.added == 4
    state = SourceState.objects.get(name="hf")
    assert state.cursor == {"last_day": "2026-08-19"} and state.last_error
    second = run_source("hf")
    assert second.status == "ok", second.error
    assert Paper.objects.count() == 12
    assert DailyEntry.objects.count() == 12
    assert SourceState.objects.get(name="hf").total_added == 12


def papers_of_one_day(upstream: FakeUpstream, settings) -> None:
    """The HF feed of 2026-08-21 (four papers, with GitHub repositories) is stored."""
    settings.FOLLOW_HF_BACKFILL_DAYS = 0
    upstream.hf_days = {"2026-08-21": hf_fixture("2026-08-21")}
    assert run_source("hf").status == "ok"


@time_machine.travel("2026-08-21 15:00:00+00:00", tick=False)
def test_github_stars_use_etags_and_304(upstream, settings):
    papers_of_one_day(upstream, settings)
    upstream.github = {
        "google-research/envharness": {"stargazers_count": 1234},
        "stokou/facet-terminal": {"stargazers_count": 7},
    }
    outcome = run_source("github")
    assert outcome.status == "ok", outcome.error
    stars = dict(Paper.objects.values_list("arxiv_id", "github_stars"))
    assert stars["2608.19880"] == 1234 and stars["2608.18580"] == 7
    assert GithubRepo.objects.count() == 4  # two unknown repositories answered 404
    upstream.requests.clear()
    again = run_source("github")
    conditional = [h.get("If-None-Match") for path, _, h in upstream.requests if "github" in path]
    assert '"google-research/envharness-1234"' in conditional
    assert again.updated == 0
    upstream.github["google-research/envharness"]["stargazers_count"] = 1300
    third = run_source("github")
    assert third.updated == 1
    assert Paper.objects.get(arxiv_id="2608.19880").github_stars == 1300


@time_machine.travel("2026-08-21 15:00:00+00:00", tick=False)
def test_github_stops_when_the_hourly_budget_is_spent(upstream, settings):
    papers_of_one_day(upstream, settings)
    upstream.fault("github", lambda: (403, {"X-RateLimit-Remaining": "0"}, b"{}"))
    outcome = run_source("github")
    assert outcome.status == "ok"
    assert any("budget is spent" in m for m in outcome.messages)
    assert len([r for r in upstream.requests if "github" in r[0]]) == 1


@time_machine.travel("2026-08-21 15:00:00+00:00", tick=False)
def test_github_sends_the_token_when_one_is_set(upstream, settings):
    settings.FOLLOW_HF_BACKFILL_DAYS = 0
    settings.GITHUB_TOKEN = "ghp_secret"
    upstream.hf_days = {"2026-08-21": hf_fixture("2026-08-21")}
    run_source("hf")
    upstream.github = {"google-research/envharness": {"stargazers_count": 5}}
    assert run_source("github").status == "ok"
    sent = [h for path, _, h in upstream.requests if "github" in path]
    assert sent and all(h.get("Authorization") == "Bearer ghp_secret" for h in sent)
    assert all("dailypapers" in h.get("User-Agent", "") for h in sent)
