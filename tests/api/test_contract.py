"""Contract: our /api/daily_papers items have the keys and JSON types of real HF items.

Real items (trimmed) from three eras of HF's API are imported with the ``import_hf``
command, served back by our API and compared field by field with the originals.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "api"
DAYS = ["2024-06-03", "2025-06-10", "2026-08-20"]

# Keys real items have that we deliberately do not produce, and why.
KNOWN_GAPS = {
    # 2024's single-URL field, replaced by mediaUrls (which we serve).
    "item.mediaUrl",
    # HF accounts of authors who claimed a paper on HF are not imported: an imported author
    # is a name; an approved local claim produces `user` and `statusLastChangedAt` (see
    # test_claimed_author_has_a_user_object).
    "author.user",
    "author.statusLastChangedAt",
    # HF's social graph (followers) and submitter organizations are not modelled.
    "submittedBy.followerCount",
    "item.submitterOrganization",
}


def json_type(value: Any) -> str:
    return {
        dict: "object",
        list: "array",
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "number",
        type(None): "null",
    }[type(value)]


def _kind(where: str) -> str:
    """The object kind at a path: item, paper, author, submittedBy, organization, ..."""
    last = where.split(".")[-1].split("[")[0]
    return "author" if last == "authors" else last


def compare(real: Any, ours: Any, where: str, problems: list[str]) -> None:
    """Record every key of ``real`` missing from ``ours`` or of another JSON type."""
    if json_type(real) != json_type(ours):
        problems.append(f"{where}: HF has {json_type(real)}, we have {json_type(ours)}")
        return
    if isinstance(real, dict):
        for key, value in real.items():
            if key not in ours:
                if f"{_kind(where)}.{key}" not in KNOWN_GAPS:
                    problems.append(f"{where}.{key}: missing")
                continue
            compare(value, ours[key], f"{where}.{key}", problems)
    elif isinstance(real, list) and real and ours and isinstance(real[0], dict):
        for index, (real_item, our_item) in enumerate(zip(real, ours, strict=False)):
            compare(real_item, our_item, f"{where}[{index}]", problems)


@pytest.fixture
def imported(db) -> dict[str, list[dict[str, Any]]]:
    paths = [FIXTURES / f"hf-{day}.json" for day in DAYS]
    call_command("import_hf", *map(str, paths), "--no-progress", verbosity=0)
    return {day: json.loads((FIXTURES / f"hf-{day}.json").read_text()) for day in DAYS}


def _ours(client, day: str) -> dict[str, dict[str, Any]]:
    response = client.get(f"/api/daily_papers?date={day}")
    assert response.status_code == 200
    return {item["paper"]["id"]: item for item in response.json()}


@pytest.mark.parametrize("day", DAYS)
def test_items_have_hf_keys_and_types(client, imported, day):
    ours = _ours(client, day)
    assert set(ours) == {item["paper"]["id"] for item in imported[day]}
    problems: list[str] = []
    for real in imported[day]:
        compare(real, ours[real["paper"]["id"]], "item", problems)
    assert problems == []


@pytest.mark.parametrize("day", DAYS)
def test_values_survive_the_round_trip(client, imported, day):
    ours = _ours(client, day)
    for real in imported[day]:
        mine = ours[real["paper"]["id"]]
        for key in ("id", "upvotes", "publishedAt", "githubRepo", "ai_keywords", "discussionId"):
            if key in real["paper"]:
                assert mine["paper"].get(key) == real["paper"][key], key
        assert mine["title"].split() == real["title"].split()  # we collapse line breaks
        assert [a["name"] for a in mine["paper"]["authors"]] == [
            a["name"] for a in real["paper"]["authors"]
        ]
        assert mine["numComments"] == real["numComments"]
        if "organization" in real:
            assert mine["organization"]["name"] == real["organization"]["name"]


def test_paper_endpoint_matches_the_nested_paper(client, imported):
    real = imported["2026-08-20"][0]["paper"]
    response = client.get(f"/api/papers/{real['id']}")
    assert response.status_code == 200
    problems: list[str] = []
    compare(real, response.json(), "paper", problems)
    assert problems == []


def test_claimed_author_has_a_user_object(client, db):
    """An approved local claim yields HF's claimed-author shape: status, the claiming
    account as ``user`` and ``statusLastChangedAt`` (when the claim was approved)."""
    import datetime as dt

    from community import services
    from tests.factories import make_daily_paper, make_user

    entry = make_daily_paper("2025-02-10", arxiv_id="2502.00077")
    authorship = entry.paper.authorships.first()
    claim = services.claim_authorship(make_user("ada", first_name="Ada"), authorship)
    approved = dt.datetime(2025, 2, 11, 8, 15, 30, 250000, tzinfo=dt.UTC)
    services.decide_claim(make_user("cura", is_staff=True), claim, True, now=approved)
    real_author = next(
        a
        for item in json.loads((FIXTURES / "hf-2026-08-20.json").read_text())
        for a in item["paper"]["authors"]
        if "user" in a
    )
    ours = client.get("/api/daily_papers?date=2025-02-10").json()[0]["paper"]["authors"][0]
    problems: list[str] = []
    compare(real_author, ours, "author", problems)
    assert problems == []
    assert set(ours) == set(real_author)
    assert set(ours["user"]) == set(real_author["user"])
    assert ours["status"] == "claimed_verified"
    assert ours["statusLastChangedAt"] == "2025-02-11T08:15:30.250Z"
    assert ours["user"]["user"] == ours["user"]["name"] == "ada"
    assert ours["user"]["fullname"] == "Ada"


def test_local_submitter_has_hf_submitter_keys(client, db):
    """Papers submitted by local accounts carry HF's submittedBy / submittedOnDailyBy keys."""
    from tests.factories import make_entry, make_paper, make_user

    make_entry(make_paper(arxiv_id="2502.00078"), "2025-02-10", submitted_by=make_user("sub"))
    real = json.loads((FIXTURES / "hf-2026-08-20.json").read_text())[0]
    ours = client.get("/api/daily_papers?date=2025-02-10").json()[0]
    problems: list[str] = []
    compare(real["submittedBy"], ours["submittedBy"], "submittedBy", problems)
    compare(
        real["paper"]["submittedOnDailyBy"],
        ours["paper"]["submittedOnDailyBy"],
        "submittedOnDailyBy",
        problems,
    )
    assert problems == []
    assert ours["submittedBy"]["name"] == "sub"
