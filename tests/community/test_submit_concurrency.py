"""Parallel submissions by one user cannot exceed the daily cap (real threads, real database:
the SQLite WAL file, or PostgreSQL when DATABASE_URL names one)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from community.models import PendingSubmission
from papers.models import DailyEntry
from tests.community.conftest import NOW
from tests.community.test_vote_concurrency import _run_in_threads
from tests.factories import make_paper, make_user

THREADS = 8
CAP = 3


@pytest.fixture
def capped(settings, time_machine):
    time_machine.move_to(NOW, tick=False)
    settings.SUBMIT_DAILY_CAP = CAP
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": (100, 3600)}
    return make_user("eager")


def _submit_all(user, arxiv_ids: list[str]) -> list[int]:
    statuses: list[int] = []

    def submit(arxiv_id: str) -> None:
        client = Client()
        client.force_login(user)
        statuses.append(client.post("/papers/submit", {"paper": arxiv_id}).status_code)

    errors = _run_in_threads(submit, [(arxiv_id,) for arxiv_id in arxiv_ids])
    assert errors == []
    return statuses


@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_stop_at_the_daily_cap(capped):
    papers = [make_paper(published_at=NOW - dt.timedelta(days=1)) for _ in range(THREADS)]
    statuses = _submit_all(capped, [p.arxiv_id for p in papers])
    assert DailyEntry.objects.filter(submitted_by=capped).count() == CAP
    assert sorted(statuses) == [302] * CAP + [400] * (THREADS - CAP)


@pytest.mark.django_db(transaction=True)
def test_parallel_queued_submissions_stop_at_the_daily_cap(capped, arxiv):
    arxiv.down = True
    _submit_all(capped, [f"2501.{90000 + i}" for i in range(THREADS)])
    assert PendingSubmission.objects.filter(user=capped).count() == CAP
    assert not DailyEntry.objects.exists()
