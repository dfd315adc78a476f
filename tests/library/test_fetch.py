"""Imported papers we lack are fetched from the (fake) arXiv API in a background task,
then join the Library; without ARXIV_ON_DEMAND they are listed as unmatched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from library import services
from library.models import PendingImport
from library.queries import library_paper_ids
from papers.models import Paper
from tests.factories import make_user
from tests.sources.upstream import FakeUpstream, atom_entry, serve

pytestmark = pytest.mark.django_db
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def arxiv(settings) -> Iterator[FakeUpstream]:
    fake = FakeUpstream()
    fake.atom["2612.00042"] = atom_entry("2612.00042", "Fetched for the library")
    server, base = serve(fake)
    settings.ARXIV_API_URL = f"{base}/api/query"
    settings.ARXIV_REQUEST_DELAY = 0
    settings.ARXIV_TIMEOUT = 2.0
    settings.ARXIV_ON_DEMAND = True
    settings.TASKS = DUMMY_TASKS  # the "worker" below runs the task body
    yield fake
    server.shutdown()
    server.server_close()


def test_missing_papers_are_queued_not_fetched_in_the_request(client: Client, arxiv):
    user = make_user()
    client.force_login(user)
    response = client.post("/library/import", {"text": "2612.00042 2612.99999", "format": "ids"})
    assert response.status_code == 200
    assert "fetching from arXiv 2" in response.content.decode()
    assert arxiv.requests == []  # nothing asked of arXiv during the request
    page = client.get("/library").content.decode()
    assert "2612.00042" in page and "queued" in page

    counts = services.fetch_pending(user.pk)  # what the worker runs

    assert counts == {"added": 1, "not_found": 1, "unavailable": 0}
    assert arxiv.requests[0][1]["id_list"] == "2612.00042,2612.99999"
    paper = Paper.objects.get(arxiv_id="2612.00042")
    assert library_paper_ids(user) == [paper.pk]
    left = PendingImport.objects.get(user=user)
    assert (left.arxiv_id, left.status) == ("2612.99999", "not_found")
    assert "arXiv has no paper with this id." in client.get("/library").content.decode()


def test_an_unreachable_arxiv_leaves_the_imports_for_a_retry(client: Client, arxiv):
    user = make_user()
    services.import_library(user, "2612.00042")
    for _ in range(2):  # the first try and its retry
        arxiv.fault("api", lambda: (503, {}, b"down"))
    assert services.fetch_pending(user.pk)["unavailable"] == 1
    pending = PendingImport.objects.get(user=user)
    assert pending.status == "unavailable" and "could not be reached" in pending.message
    client.force_login(user)
    client.post("/library/pending", {"action": "retry"})
    assert PendingImport.objects.get(user=user).status == "queued"
    assert services.fetch_pending(user.pk)["added"] == 1
    assert not PendingImport.objects.filter(user=user).exists()


def test_the_task_runs_once_the_import_commits(arxiv, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    user = make_user()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.import_library(user, "2612.00042")
    assert report.queued == ["2612.00042"] and arxiv.requests == []
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the task is enqueued (and run, by the immediate backend)
    assert library_paper_ids(user) == [Paper.objects.get(arxiv_id="2612.00042").pk]
