"""The real ``huggingface_hub`` client (and its ``hf papers`` CLI) against a live server.

Every collection method the client has for papers and every papers method, with every
parameter, run unchanged with ``endpoint`` / ``HF_ENDPOINT`` pointing here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from api.services import create_token
from search import service
from tests.factories import make_daily_paper, make_entry, make_paper, make_user

pytestmark = pytest.mark.django_db(transaction=True)

HF_CLI = Path(sys.executable).with_name("hf")


@pytest.fixture
def papers(transactional_db) -> None:
    submitter = make_user("sub")
    make_daily_paper(
        "2025-02-10",
        arxiv_id="2502.04507",
        title="Fast Video Generation with Sliding Tile Attention",
        abstract="Diffusion transformers with sliding tiles make video generation fast.",
        upvotes=25,
        published_at=dt.datetime(2025, 2, 7, 17, 0, tzinfo=dt.UTC),
    )
    make_entry(
        make_paper(
            arxiv_id="2502.00002",
            title="Graph neural networks for molecules",
            published_at=dt.datetime(2025, 2, 8, tzinfo=dt.UTC),
            upvotes=3,
        ),
        "2025-02-10",
        submitted_by=submitter,
    )
    make_daily_paper(
        "2025-02-11",
        arxiv_id="2502.00003",
        title="Next day paper",
        upvotes=9,
        published_at=dt.datetime(2025, 2, 9, tzinfo=dt.UTC),
    )
    service.rebuild_index()


@pytest.fixture
def token(transactional_db) -> str:
    return create_token(make_user("alice"), "hf client")[1]


@pytest.fixture
def hf(live_server, token) -> HfApi:
    return HfApi(endpoint=live_server.url, token=token)


def _status(error: pytest.ExceptionInfo) -> int:
    return error.value.response.status_code


def test_create_get_and_list_collections(hf, papers):
    created = hf.create_collection("Video diffusion", description="Fast ones", private=True)
    assert created.slug == f"alice/video-diffusion-{created.slug.rsplit('-', 1)[1]}"
    assert (created.title, created.owner, created.private) == ("Video diffusion", "alice", True)
    assert created.description == "Fast ones"
    assert created.url.endswith(f"/collections/{created.slug}")
    again = hf.create_collection("Video diffusion", exists_ok=True)
    assert again.slug == created.slug
    with pytest.raises(HfHubHTTPError) as conflict:
        hf.create_collection("Video diffusion")
    assert _status(conflict) == 409
    with pytest.raises(HfHubHTTPError) as elsewhere:
        hf.create_collection("Org picks", namespace="some-org")
    assert _status(elsewhere) == 403

    hf.add_collection_item(created.slug, "2502.04507", "paper", note="Read first")
    public = hf.create_collection("Graphs", namespace="alice")
    hf.add_collection_item(public.slug, "2502.00002", "paper")

    fetched = hf.get_collection(created.slug)
    assert [(i.item_id, i.item_type, i.note) for i in fetched.items] == [
        ("2502.04507", "paper", "Read first")
    ]
    holding = hf.list_collections(item="papers/2502.00002", owner="alice", sort="upvotes")
    assert [c.slug for c in holding] == [public.slug]
    assert [c.slug for c in hf.list_collections(owner="alice", sort="lastModified", limit=1)] == [
        public.slug
    ]
    assert {c.slug for c in hf.list_collections(owner=["alice"], sort="trending")} == {
        created.slug,
        public.slug,
    }
    assert list(hf.list_collections(item="models/gpt2")) == []
    anonymous = HfApi(endpoint=hf.endpoint, token=False)
    assert [c.slug for c in anonymous.list_collections(owner="alice")] == [public.slug]
    with pytest.raises(HfHubHTTPError) as private:
        anonymous.get_collection(created.slug)
    assert _status(private) == 404


def test_items_are_added_moved_annotated_and_removed(hf, papers):
    slug = hf.create_collection("Reading").slug
    hf.add_collection_item(slug, "2502.04507", "paper")
    hf.add_collection_item(slug, "2502.00002", "paper", note="maybe")
    collection = hf.add_collection_item(slug, "2502.00003", "paper")
    assert [i.item_id for i in collection.items] == ["2502.04507", "2502.00002", "2502.00003"]
    assert [i.position for i in collection.items] == [0, 1, 2]
    with pytest.raises(HfHubHTTPError) as twice:
        hf.add_collection_item(slug, "2502.04507", "paper")
    assert _status(twice) == 409
    assert len(hf.add_collection_item(slug, "2502.04507", "paper", exists_ok=True).items) == 3
    for item_type, item_id in [("model", "gpt2"), ("dataset", "squad"), ("space", "a/b")]:
        with pytest.raises(HfHubHTTPError) as wrong:
            hf.add_collection_item(slug, item_id, item_type)
        assert _status(wrong) == 400
        assert "papers only" in wrong.value.response.json()["error"]
    with pytest.raises(HfHubHTTPError) as unknown:
        hf.add_collection_item(slug, "2502.99999", "paper")
    assert _status(unknown) == 404

    last = collection.items[2]
    hf.update_collection_item(slug, last.item_object_id, note="the best", position=0)
    items = hf.get_collection(slug).items
    assert [(i.item_id, i.position, i.note) for i in items] == [
        ("2502.00003", 0, "the best"),
        ("2502.04507", 1, None),
        ("2502.00002", 2, "maybe"),
    ]
    hf.delete_collection_item(slug, items[1].item_object_id)
    hf.delete_collection_item(slug, items[1].item_object_id, missing_ok=True)
    with pytest.raises(HfHubHTTPError) as gone:
        hf.delete_collection_item(slug, items[1].item_object_id)
    assert _status(gone) == 404
    assert [i.item_id for i in hf.get_collection(slug).items] == ["2502.00003", "2502.00002"]


def test_metadata_update_keeps_the_id_and_delete(hf, papers, live_server):
    old = hf.create_collection("Draft", private=True)
    updated = hf.update_collection_metadata(
        old.slug,
        title="Final picks",
        description="Best of February",
        private=False,
        theme="green",
        position=0,
    )
    number = old.slug.rsplit("-", 1)[1]
    assert updated.slug == f"alice/final-picks-{number}"
    assert (updated.title, updated.description, updated.private, updated.theme) == (
        "Final picks",
        "Best of February",
        False,
        "green",
    )
    assert hf.get_collection(old.slug).title == "Final picks"  # old slugs keep working
    someone = HfApi(endpoint=live_server.url, token=create_token(make_user("bob"), "t")[1])
    with pytest.raises(HfHubHTTPError) as theirs:
        someone.update_collection_metadata(updated.slug, title="Mine now")
    assert _status(theirs) == 403
    with pytest.raises(HfHubHTTPError) as not_theirs:
        someone.delete_collection(updated.slug)
    assert _status(not_theirs) == 403
    hf.delete_collection(updated.slug)
    hf.delete_collection(updated.slug, missing_ok=True)
    with pytest.raises(HfHubHTTPError) as missing:
        hf.get_collection(updated.slug)
    assert _status(missing) == 404


def test_daily_papers_with_every_parameter(hf, papers):
    day = hf.list_daily_papers(date="2025-02-10")
    assert [p.id for p in day] == ["2502.04507", "2502.00002"]
    first = hf.list_daily_papers(date="2025-02-10", limit=1, p=0)
    second = hf.list_daily_papers(date="2025-02-10", limit=1, p=1)
    assert [p.id for p in first] + [p.id for p in second] == ["2502.04507", "2502.00002"]
    week = hf.list_daily_papers(week="2025-W07", sort="publishedAt")
    assert [p.id for p in week] == ["2502.00003", "2502.00002", "2502.04507"]
    month = hf.list_daily_papers(month="2025-02", sort="trending")
    assert [p.id for p in month] == ["2502.04507", "2502.00003", "2502.00002"]
    assert [p.id for p in hf.list_daily_papers(submitter="sub", month="2025-02")] == ["2502.00002"]
    paper = next(iter(hf.list_daily_papers(date="2025-02-10", token=False)))
    # The item's publishedAt is HF's New York wall-clock rendering of the paper's time.
    assert paper.submitted_at == dt.datetime(2025, 2, 7, 12, 0, tzinfo=dt.UTC)
    assert paper.published_at == dt.datetime(2025, 2, 7, 17, 0, tzinfo=dt.UTC)


def test_paper_info_read_paper_and_search(hf, papers):
    info = hf.paper_info("2502.04507")
    assert (info.title, info.upvotes) == ("Fast Video Generation with Sliding Tile Attention", 25)
    assert hf.read_paper("2502.04507").startswith("# Fast Video Generation")
    with pytest.raises(HfHubHTTPError) as missing:
        hf.paper_info("2502.99999")
    assert _status(missing) == 404
    with pytest.raises(HfHubHTTPError) as malformed:
        hf.read_paper("not-an-id")
    assert _status(malformed) == 400
    found = list(hf.list_papers(query="sliding tile video", limit=2))
    assert found[0].id == "2502.04507"
    assert len(found) <= 2
    assert [p.id for p in hf.list_papers()] == ["2502.00003", "2502.00002", "2502.04507"]
    assert [p.id for p in hf.list_papers(limit=1)] == ["2502.00003"]


def _hf(live_server, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_ENDPOINT": live_server.url, "HF_HUB_DISABLE_TELEMETRY": "1"}
    env.pop("HF_TOKEN", None)
    return subprocess.run(
        [str(HF_CLI), "papers", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_hf_papers_cli_commands(live_server, papers):
    ls = _hf(live_server, "ls", "--date", "2025-02-10", "--format", "json")
    assert ls.returncode == 0, ls.stderr
    assert [p["id"] for p in json.loads(ls.stdout)] == ["2502.04507", "2502.00002"]
    search = _hf(live_server, "search", "sliding tile video", "--limit", "1", "--format", "json")
    assert search.returncode == 0, search.stderr
    assert [p["id"] for p in json.loads(search.stdout)] == ["2502.04507"]
    info = _hf(live_server, "info", "2502.04507")
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["title"].startswith("Fast Video Generation")
    read = _hf(live_server, "read", "2502.04507")
    assert read.returncode == 0, read.stderr
    assert read.stdout.startswith("# Fast Video Generation")
    missing = _hf(live_server, "info", "2502.99999")
    assert missing.returncode != 0
