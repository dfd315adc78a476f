"""``papers.cards``: the one read model of a paper card, checked against the same papers read
through ORM instances, in a constant number of queries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.search import _item
from community.models import AuthorshipClaim
from papers.cards import card_by_arxiv_id, cards_in_order, feed_cards, load_cards
from papers.models import DailyEntry, Paper, PaperAuthor
from tests.factories import make_entry, make_org, make_paper, make_user
from tests.orm_cards import orm_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def papers() -> list[Paper]:
    claimer, submitter = make_user("claimer"), make_user("submitter", first_name="Sub")
    org = make_org("acme", "Acme Labs")
    plain = make_paper(authors=("Ada Lovelace",))
    rich = make_paper(
        authors=("Grace Hopper", "Alan Turing", "Ada Lovelace"),
        organization=org,
        github_repo="https://github.com/acme/x",
        upvotes=7,
        extra={"mediaUrls": ["https://example.org/a.png"], "githubRepoAddedBy": "someone"},
    )
    PaperAuthor.objects.filter(paper=rich, position=1).update(claimed_by=claimer, hidden=True)
    slot = PaperAuthor.objects.get(paper=rich, position=1)
    approved = dt.datetime(2025, 1, 7, 9, 30, tzinfo=dt.UTC)
    for status, decided in [("rejected", approved + dt.timedelta(days=1)), ("approved", approved)]:
        AuthorshipClaim.objects.create(
            user=claimer, authorship=slot, status=status, created_at=approved, decided_at=decided
        )
    make_entry(rich, "2025-01-06", submitter_name="hf-user", submitter_fullname="HF User")
    make_entry(rich, "2025-01-08", submitted_by=submitter, submitted_at=dt.datetime.now(dt.UTC))
    make_entry(rich, "2025-01-09", hidden=True)  # never shown
    no_authors = make_paper(authors=())
    return [plain, rich, no_authors]


def test_cards_are_what_the_orm_instances_hold(papers):
    ids = [p.pk for p in papers] + [10**9]  # a missing id is simply absent
    cards = load_cards(ids)
    assert sorted(cards) == sorted(p.pk for p in papers)
    for pk, card in cards.items():
        assert card == orm_card(pk)
        assert _item(card) == _item(orm_card(pk))
    rich = cards[papers[1].pk]
    assert [e.date.isoformat() for e in rich.feed_entries] == ["2025-01-08", "2025-01-06"]
    assert [a.author.name for a in rich.authorships] == [
        "Grace Hopper",
        "Alan Turing",
        "Ada Lovelace",
    ]
    assert rich.authorships[1].claimed_by.username == "claimer"
    assert rich.authorships[1].claimed_at == dt.datetime(2025, 1, 7, 9, 30, tzinfo=dt.UTC)
    assert rich.authorships[0].claimed_at is None
    assert [a.hidden for a in rich.authorships] == [False, True, False]
    assert rich.organization.slug == "acme"
    assert cards[papers[2].pk].authorships == ()
    assert load_cards([]) == {} and load_cards([10**9]) == {}


def test_cards_are_frozen(papers):
    card = load_cards([papers[0].pk])[papers[0].pk]
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.title = "Renamed"  # type: ignore[misc]


def test_query_count_does_not_grow_with_the_page(papers):
    extra = [make_paper(authors=("Extra Author",)).pk for _ in range(10)]
    with CaptureQueriesContext(connection) as ctx:
        cards = load_cards([p.pk for p in papers] + extra)
    assert len(ctx.captured_queries) == 3
    with CaptureQueriesContext(connection) as ctx:
        for card in cards.values():
            _item(card)
    assert len(ctx.captured_queries) == 0


def test_order_helpers(papers):
    ids = [papers[2].pk, papers[0].pk, 10**9, papers[1].pk]
    assert [c.pk for c in cards_in_order(ids)] == [papers[2].pk, papers[0].pk, papers[1].pk]
    assert card_by_arxiv_id(papers[1].arxiv_id).pk == papers[1].pk
    assert card_by_arxiv_id("9999.99999") is None


def test_feed_cards_pair_each_entry_with_its_card(papers):
    rows = DailyEntry.objects.filter(paper=papers[1]).order_by("date")
    items = feed_cards(rows)
    # The hidden entry is not on the feed, so it has no feed card.
    assert [i.entry.date.isoformat() for i in items] == ["2025-01-06", "2025-01-08"]
    assert all(i.paper.pk == papers[1].pk for i in items)
    assert items[1].entry.submitter_display == "submitter"
    assert items[0].entry.submitter_display == "HF User"


def test_a_served_page_leaves_no_reference_cycles(papers):
    """Cards hold no back-references, so a page and its serialised items are freed when the
    request drops them, not by the cyclic collector."""
    ids = [p.pk for p in papers]
    gc.collect()
    gc.disable()
    try:
        cards = load_cards(ids)
        items = [_item(card) for card in cards.values()]
        assert items and any(card.feed_entries for card in cards.values())
        del cards, items
        assert gc.collect() == 0
    finally:
        gc.enable()
