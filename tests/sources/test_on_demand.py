"""Any arXiv paper one click away: ``/papers/<id>`` and ``POST /api/papers/index`` fetch
papers we lack from the (fake) arXiv API."""

from __future__ import annotations

import pytest
from django.test import Client

from api.services import create_token
from papers.models import Paper
from sources.models import OnDemandFetch
from sources.ondemand import fetch_now
from tests.factories import make_user
from tests.sources.upstream import FakeUpstream, atom_entry

pytestmark = pytest.mark.django_db
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def arxiv_api(upstream: FakeUpstream) -> FakeUpstream:
    upstream.atom["2612.00042"] = atom_entry("2612.00042", "The answer, fetched", version=3)
    return upstream


def test_a_paper_we_lack_is_fetched_and_shown(client: Client, arxiv_api):
    response = client.get("/papers/2612.00042")
    assert response.status_code == 302 and response["Location"] == "/papers/2612.00042"
    page = client.get("/papers/2612.00042")
    assert page.status_code == 200
    assert "The answer, fetched" in page.content.decode()
    paper = Paper.objects.get(arxiv_id="2612.00042")
    assert (paper.version, paper.source) == (3, "arxiv")
    assert OnDemandFetch.objects.get(arxiv_id="2612.00042").status == "done"


def test_with_a_task_worker_the_page_says_fetching_and_polls_until_done(
    client: Client, arxiv_api, settings
):
    settings.TASKS = DUMMY_TASKS  # nothing runs the task until the "worker" below does
    waiting = client.get("/papers/2612.00042")
    assert waiting.status_code == 202
    body = waiting.content.decode()
    assert "Fetching 2612.00042 from arXiv" in body
    assert 'hx-get="/papers/2612.00042/fetch-status"' in body
    poll = client.get("/papers/2612.00042/fetch-status")
    assert poll.status_code == 200 and "HX-Refresh" not in poll
    assert fetch_now("2612.00042") == "done"  # what the worker runs
    done = client.get("/papers/2612.00042/fetch-status")
    assert done["HX-Refresh"] == "true"
    assert client.get("/papers/2612.00042").status_code == 200


def test_an_id_arxiv_does_not_know_is_a_clear_404(client: Client, arxiv_api):
    page = client.get("/papers/2612.99999")
    assert page.status_code == 404
    text = page.content.decode()
    assert "arXiv does not know 2612.99999" in text
    assert 'href="https://arxiv.org/abs/2612.99999"' in text
    assert arxiv_api.requests[-1][1]["id_list"] == "2612.99999"
    client.get("/papers/2612.99999")
    assert len(arxiv_api.requests) == 1  # the answer is remembered, arXiv is not asked again
    old_style = client.get("/papers/hep-th/9901001")
    assert old_style.status_code == 404
    assert "arXiv does not know hep-th/9901001" in old_style.content.decode()


def test_arxiv_unreachable_says_so_and_links_to_arxiv(client: Client, arxiv_api):
    arxiv_api.fault("api", lambda: (503, {}, b"down"))  # one try: a page must not wait
    page = client.get("/papers/2612.00042")
    assert page.status_code == 503
    text = page.content.decode()
    assert "arXiv could not be reached" in text
    assert 'href="https://arxiv.org/abs/2612.00042"' in text
    assert client.get("/papers/2612.00042").status_code == 302  # arXiv is back: tried again


def test_on_demand_fetches_are_rate_limited_per_client(client: Client, arxiv_api, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "arxiv_fetch": (2, 3600)}
    assert client.get("/papers/2612.00001").status_code == 404  # asked arXiv: 1
    assert client.get("/papers/2612.00002").status_code == 404  # 2
    refused = client.get("/papers/2612.00042")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many arxiv fetch requests" in refused.content.decode()
    assert client.get("/papers/2612.00001").status_code == 404  # known answers are free
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get("/papers/2612.00042").status_code == 302
    assert len(arxiv_api.requests) == 3


def test_api_index_fetches_with_a_token(arxiv_api):
    token = create_token(make_user("indexer"), "tests")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    ok = api.post("/api/papers/index", {"arxivId": "2612.00042"}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json() == {"id": "2612.00042", "status": "indexed", "url": "/papers/2612.00042"}
    again = api.post(
        "/api/papers/index", {"arxivId": "arXiv:2612.00042v1"}, content_type="application/json"
    )
    assert again.status_code == 200 and len(arxiv_api.requests) == 1
    missing = api.post(
        "/api/papers/index", {"arxivId": "2612.99999"}, content_type="application/json"
    )
    assert missing.status_code == 404 and "arXiv does not know" in missing.json()["error"]
    bad = api.post("/api/papers/index", {"arxivId": "banana"}, content_type="application/json")
    assert bad.status_code == 400 and "not an arXiv id" in bad.json()["error"]


def test_api_index_needs_authentication(arxiv_api):
    response = Client().post(
        "/api/papers/index", {"arxivId": "2612.00042"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Paper.objects.exists()


def test_api_index_pending_and_unreachable(arxiv_api, settings):
    token = create_token(make_user("indexer"), "tests")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    settings.TASKS = DUMMY_TASKS
    pending = api.post(
        "/api/papers/index", {"arxivId": "2612.00042"}, content_type="application/json"
    )
    assert pending.status_code == 202 and pending.json()["status"] == "pending"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    arxiv_api.fault("api", lambda: (503, {}, b"down"))  # one try: a page must not wait
    down = api.post("/api/papers/index", {"arxivId": "2612.00043"}, content_type="application/json")
    assert down.status_code == 503 and "could not be reached" in down.json()["error"]


def test_off_by_default_an_unknown_id_is_a_404_with_the_arxiv_link(client, upstream, settings):
    settings.ARXIV_ON_DEMAND = False
    page = client.get("/papers/2612.00042")
    assert page.status_code == 404
    assert "https://arxiv.org/abs/2612.00042" in page.content.decode()
    token = create_token(make_user("indexer"), "tests")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    refused = api.post(
        "/api/papers/index", {"arxivId": "2612.00042"}, content_type="application/json"
    )
    assert refused.status_code == 403 and "ARXIV_ON_DEMAND" in refused.json()["error"]
    assert upstream.requests == [] and not Paper.objects.exists()
