"""``GET /api/papers/search``: Hugging Face's item shape, limits and JSON errors."""

from __future__ import annotations

import pytest


def test_returns_hf_shaped_items_best_first(corpus, client):
    response = client.get("/api/papers/search", {"q": "speculative decoding", "limit": 5})
    assert response.status_code == 200
    items = response.json()
    assert 1 <= len(items) <= 5
    first = items[0]
    assert first["paper"]["id"] == "2501.19324"
    assert first["title"] == first["paper"]["title"]
    assert first["summary"] == first["paper"]["summary"]
    assert {"authors", "publishedAt", "upvotes", "discussionId"} <= set(first["paper"])
    assert {"thumbnail", "numComments", "isAuthorParticipating", "publishedAt"} <= set(first)
    assert first["paper"]["authors"][0]["name"]


def test_daily_papers_carry_their_submission(corpus, client):
    items = client.get("/api/papers/search", {"q": "DeepSeek-R1 reasoning"}).json()
    on_feed = next(i for i in items if i["paper"]["id"] == "2501.12948")  # even: on the feed
    assert "submittedOnDailyAt" in on_feed["paper"]
    items = client.get("/api/papers/search", {"q": "Kimi-VL Technical Report"}).json()
    off_feed = next(i for i in items if i["paper"]["id"] == "2504.07491")  # odd: not on it
    assert "submittedOnDailyAt" not in off_feed["paper"]


def test_limit_is_respected(corpus, client):
    assert len(client.get("/api/papers/search", {"q": "model", "limit": 3}).json()) == 3


def test_arxiv_id_returns_that_paper(corpus, client):
    items = client.get("/api/papers/search", {"q": "2501.12948"}).json()
    assert [i["paper"]["id"] for i in items] == ["2501.12948"]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"q": "x" * 251}, "251 characters"),
        ({"q": "x", "limit": 121}, "between 1 and 120"),
        ({"q": "x", "limit": 0}, "between 1 and 120"),
        ({"q": "x", "limit": "lots"}, "limit"),
        ({"q": "x", "mode": "fuzzy"}, "mode"),
    ],
)
def test_bad_parameters_get_400_json(corpus, client, params, fragment):
    response = client.get("/api/papers/search", params)
    assert response.status_code == 400
    assert fragment in response.json()["error"]


@pytest.mark.parametrize("params", [{}, {"q": "  "}, {"limit": 2}])
def test_no_query_lists_the_most_recent_papers(corpus, client, params):
    """HF's list_papers() without a query: the newest papers, not an error."""
    from papers.models import Paper

    limit = params.get("limit", 50)
    newest = Paper.objects.order_by("-published_at", "-id").values_list("arxiv_id", flat=True)
    response = client.get("/api/papers/search", params)
    assert response.status_code == 200
    assert [item["paper"]["id"] for item in response.json()] == list(newest[:limit])


def test_limits_at_the_edge_are_accepted(corpus, client):
    response = client.get("/api/papers/search", {"q": "x" * 250, "limit": 120})
    assert response.status_code == 200


def _orm_item(paper_pk: int) -> dict:
    """The item built from a card assembled from ORM instances (tests/orm_cards.py)."""
    from api.search import _item
    from tests.orm_cards import orm_card

    return _item(orm_card(paper_pk))


def test_items_are_the_orm_items_with_claims_and_organizations(corpus, client):
    """The API loads cards with ``values()``: every item must still be exactly what the
    same paper read through ORM instances serialises, a claimed author (with the user)
    included."""
    from papers.models import Paper, PaperAuthor
    from tests.factories import make_user

    paper = corpus["2501.12948"]
    claimer = make_user("claimer", first_name="Clai", last_name="Mer")
    PaperAuthor.objects.filter(paper=paper, position=0).update(claimed_by=claimer, hidden=True)
    items = client.get("/api/papers/search", {"q": "DeepSeek-R1 reasoning", "limit": 20}).json()
    assert len(items) > 5
    ids = dict(Paper.objects.values_list("arxiv_id", "pk"))
    for item in items:
        assert item == _orm_item(ids[item["paper"]["id"]])
    claimed = next(i for i in items if i["paper"]["id"] == "2501.12948")
    first = claimed["paper"]["authors"][0]
    assert (first["user"]["fullname"], first["hidden"]) == ("Clai Mer", True)
    assert claimed["isAuthorParticipating"] is True
    assert any("organization" in item for item in items)
