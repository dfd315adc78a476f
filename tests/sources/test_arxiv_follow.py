"""Following arXiv with OAI-PMH: incremental pages, versions, cross-lists, withdrawals, and
every fault of the issue followed by a run that completes with nothing lost or doubled."""

from __future__ import annotations

import time

import pytest
import time_machine

from papers.models import Paper
from sources.follow import run_source
from sources.models import ArxivListing, SourceState
from tests.sources.upstream import FakeUpstream, RawPaper

pytestmark = pytest.mark.django_db
NOW = "2026-12-03 12:00:00+00:00"


def five_papers() -> list[RawPaper]:
    return [
        RawPaper("2612.00001", "Tokenizers for every language", "cs.CL"),
        RawPaper("2612.00002", "Learning rates, revisited", "cs.LG stat.ML"),
        RawPaper("2612.00003", "Galaxy shapes", "astro-ph.GA"),  # not followed
        RawPaper("2612.00004", "Statistics of parsing", "math.ST cs.CL"),  # cross-list
        RawPaper("2612.00005", "Better agents", "cs.AI cs.LG", datestamp="2026-12-02"),
    ]


def totals() -> tuple[int, int]:
    state = SourceState.objects.get(name="arxiv")
    return state.total_added, state.total_updated


@time_machine.travel(NOW, tick=False)
def test_first_run_harvests_every_page_of_the_followed_categories(upstream: FakeUpstream):
    upstream.oai_records = five_papers()
    outcome = run_source("arxiv")
    assert outcome.status == "ok", outcome.error
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == [
        "2612.00001",
        "2612.00002",
        "2612.00004",
        "2612.00005",
    ]
    first = upstream.oai_requests()[0]
    assert first["metadataPrefix"] == "arXivRaw" and first["set"] == "cs"
    assert first["from"] == "2026-11-30"  # FOLLOW_ARXIV_BACKFILL_DAYS (3) before today
    assert len(upstream.oai_requests()) == 3  # pages of 2 with resumption tokens
    paper = Paper.objects.get(arxiv_id="2612.00001")
    assert [a.name for a in paper.authors.all()] == [
        "Ada Lovelace",
        "Charles Babbage",
        "Grace Hopper",
    ]
    assert paper.version == 1 and paper.abstract.startswith("Abstract of Tokenizers")
    kinds = dict(ArxivListing.objects.values_list("paper__arxiv_id", "kind"))
    assert kinds == {
        "2612.00001": "new",
        "2612.00002": "new",
        "2612.00004": "cross",
        "2612.00005": "cross",  # primary cs.AI is not followed, cs.LG is
    }
    state = SourceState.objects.get(name="arxiv")
    assert state.cursor == {"sets": {"cs": {"from": "2026-12-03"}}}  # the responseDate's day
    assert (state.last_added, state.total_added) == (4, 4)
    assert state.last_success_at is not None and state.lease_owner == ""


@time_machine.travel(NOW, tick=False)
def test_next_run_continues_from_the_datestamp_and_applies_new_versions(upstream: FakeUpstream):
    upstream.oai_records = five_papers()
    run_source("arxiv")
    upstream.oai_records = [
        RawPaper(
            "2612.00001",
            "Tokenizers for every language, v2",
            "cs.CL",
            versions=2,
            datestamp="2026-12-03",
        ),
        RawPaper(
            "2612.00002",
            "Learning rates",
            "cs.LG",
            versions=2,
            datestamp="2026-12-03",
            comments="This paper has been withdrawn by the author",
            last_size="0kb",
        ),
        RawPaper("2612.00005", "", datestamp="2026-12-03", deleted=True),
        RawPaper("2612.00009", "A brand new one", "cs.CL", datestamp="2026-12-03"),
    ]
    outcome = run_source("arxiv")
    assert outcome.status == "ok", outcome.error
    assert upstream.oai_requests()[3]["from"] == "2026-12-03"
    updated = Paper.objects.get(arxiv_id="2612.00001")
    assert (updated.title, updated.version) == ("Tokenizers for every language, v2", 2)
    assert Paper.objects.get(arxiv_id="2612.00002").withdrawn is True
    assert Paper.objects.get(arxiv_id="2612.00005").withdrawn is True  # deleted upstream
    assert Paper.objects.count() == 5
    assert ArxivListing.objects.count() == 5  # a new version is not a new announcement
    assert (outcome.added, totals()[0]) == (1, 5)


def _retry_after_503():
    return 503, {"Retry-After": "1"}, b"busy"


FAULTS = {
    "503 with Retry-After": lambda fake: fake.fault("oai", _retry_after_503),
    "429": lambda fake: fake.fault("oai", lambda: (429, {"Retry-After": "0"}, b"slow down")),
    "timeout": lambda fake: fake.fault("oai", lambda: time.sleep(1.6)),
    "truncated XML page": lambda fake: [
        fake.fault("oai", lambda: None),
        fake.fault("oai", lambda: (200, {}, b'<?xml version="1.0"?><OAI-PMH xmlns="http')),
    ],
    "expired resumption token": lambda fake: fake.expired_tokens.add("tok-2"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
@time_machine.travel(NOW, tick=True)
def test_after_a_fault_the_next_run_loses_nothing_and_doubles_nothing(upstream, fault):
    upstream.oai_records = five_papers()
    FAULTS[fault](upstream)
    started = time.monotonic()
    first = run_source("arxiv")
    if fault == "503 with Retry-After":
        assert first.status == "ok" and time.monotonic() - started >= 1.0  # waited as asked
    if first.status != "ok":
        state = SourceState.objects.get(name="arxiv")
        assert state.last_error and state.last_error_at and state.last_success_at is None
        upstream.expired_tokens.clear()
        assert run_source("arxiv").status == "ok"
    assert Paper.objects.count() == 4
    assert ArxivListing.objects.count() == 4
    assert totals()[0] == 4  # every paper counted as added exactly once


@time_machine.travel(NOW, tick=False)
def test_expired_token_restarts_the_set_from_its_datestamp(upstream: FakeUpstream):
    upstream.oai_records = five_papers()
    upstream.expired_tokens.add("tok-2")
    outcome = run_source("arxiv")
    assert outcome.status == "ok", outcome.error
    assert any("resumption token expired" in message for message in outcome.messages)
    restarts = [p for p in upstream.oai_requests() if "from" in p]
    assert len(restarts) == 2 and {p["from"] for p in restarts} == {"2026-11-30"}
    assert Paper.objects.count() == 4 and totals()[0] == 4


@time_machine.travel(NOW, tick=False)
def test_the_same_page_twice_is_asked_again_and_not_stored_twice(upstream: FakeUpstream):
    upstream.oai_records = five_papers()
    original = upstream._oai

    def first_page_again(params):
        if params.get("resumptionToken") == "tok-2" and not getattr(upstream, "repeated", False):
            upstream.repeated = True
            return original({})  # page one again, with the token just sent
        return original(params)

    upstream._oai = first_page_again
    outcome = run_source("arxiv")
    assert outcome.status == "ok", outcome.error
    assert Paper.objects.count() == 4 and totals()[0] == 4
    assert ArxivListing.objects.count() == 4


@time_machine.travel(NOW, tick=False)
def test_an_upstream_that_always_repeats_a_page_fails_the_run_with_the_reason(upstream):
    upstream.oai_records = five_papers()
    original = upstream._oai
    upstream._oai = lambda params: original({} if params.get("resumptionToken") else params)
    outcome = run_source("arxiv")
    assert outcome.status == "failed" and "same page" in outcome.error
    upstream._oai = original
    assert run_source("arxiv").status == "ok"
    assert Paper.objects.count() == 4 and totals()[0] == 4
