"""The lease: one runner per source across processes and nodes."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.db import connection

from sources.follow import run_source
from sources.models import SourceState
from sources.services import claim_lease, release_lease
from tests.sources.upstream import RawPaper


@pytest.mark.django_db
def test_a_held_lease_keeps_other_runners_out_until_it_expires(settings):
    settings.FOLLOW_LEASE_SECONDS = 60
    with time_machine.travel("2026-12-03 12:00:00+00:00", tick=False) as clock:
        assert claim_lease("arxiv", "node-a")
        assert not claim_lease("arxiv", "node-b")
        assert claim_lease("arxiv", "node-a")  # the owner renews
        clock.shift(61)
        assert claim_lease("arxiv", "node-b")  # expired: taken over
        assert SourceState.objects.get(name="arxiv").lease_owner == "node-b"
        release_lease("arxiv", "node-a")  # not the owner any more: no effect
        assert SourceState.objects.get(name="arxiv").lease_owner == "node-b"


@pytest.mark.django_db(transaction=True)
def test_two_runners_at_once_one_runs(upstream):
    upstream.oai_records = [RawPaper(f"2612.{n:05d}", f"Paper {n}") for n in range(1, 7)]
    upstream.page_delay = 0.3
    outcomes = []
    barrier = threading.Barrier(2)

    def runner() -> None:
        barrier.wait()
        try:
            outcomes.append(run_source("arxiv"))
        finally:
            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o.status for o in outcomes) == ["busy", "ok"]
    assert SourceState.objects.get(name="arxiv").total_added == 6
