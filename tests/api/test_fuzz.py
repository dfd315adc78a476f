"""Property-based fuzzing of every API operation with schemathesis: no input, valid or not,
may produce a server error (5xx).

Requests go in-process through the WSGI application, with a bearer token so the
authenticated operations are exercised beyond their 401. Examples are bounded so the whole
run takes seconds.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.services import create_token
from dailypapers.wsgi import application
from tests.factories import make_daily_paper, make_user

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

MAX_EXAMPLES = 25


class ArxivDown(Exception):
    pass


@pytest.fixture
def seeded(db, monkeypatch) -> str:
    """A little data, no network (arXiv look-ups fail fast), and a token for the fuzzer."""
    make_daily_paper("2025-02-10", arxiv_id="2502.04507", upvotes=3)
    make_daily_paper("2025-02-11", arxiv_id="hep-th/9901001")

    def arxiv_down(ids):
        raise ArxivDown("no network in tests")

    monkeypatch.setattr("community.services._arxiv_fetcher", lambda **_: (arxiv_down, ArxivDown))
    # Like django.test.Client: keep the test transaction's connection open across requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield create_token(make_user("fuzzer"), "fuzz")[1]
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples every run: failures reproduce, CI is stable
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, seeded):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {seeded}"}, checks=[not_a_server_error]
    )


def test_the_schema_has_every_operation():
    """Guards against a router silently dropping out of the fuzzed schema."""
    found = [result.ok() for result in schema.get_all_operations()]
    operations = {f"{op.method.upper()} {op.path}" for op in found}
    assert {
        "GET /api/daily_papers",
        "GET /api/papers/{arxiv_id}",
        "POST /api/papers/{arxiv_id}/upvote",
        "POST /api/papers/{arxiv_id}/comments",
        "POST /api/papers/submit",
        "POST /api/collections",
        "POST /api/subscriptions",
    } <= operations
