"""``search.cards.load_papers`` and ``load_records``: the same serialised papers as the ORM
prefetch path, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import gc

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from api.search import _item
from papers.models import DailyEntry, Paper, PaperAuthor
from papers.queries import with_card_data
from search.cards import load_papers, load_records
from tests.factories import make_entry, make_org, make_paper, make_user

pytestmark = pytest.mark.django_db


def _orm_papers(ids: list[int]) -> dict[int, Paper]:
    entries = Prefetch(
        "daily_entries",
        queryset=DailyEntry.objects.filter(hidden=False).order_by("-date"),
        to_attr="feed_entries",
    )
    return with_card_data(Paper.objects.filter(pk__in=ids)).prefetch_related(entries).in_bulk()


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
    make_entry(rich, "2025-01-06", submitter_name="hf-user", submitter_fullname="HF User")
    make_entry(rich, "2025-01-08", submitted_by=submitter, submitted_at=dt.datetime.now(dt.UTC))
    make_entry(rich, "2025-01-09", hidden=True)  # never shown
    no_authors = make_paper(authors=())
    return [plain, rich, no_authors]


def test_serialises_exactly_like_the_orm_prefetch(papers):
    ids = [p.pk for p in papers] + [10**9]  # a missing id is simply absent
    fast, slow = load_papers(ids), _orm_papers(ids)
    assert sorted(fast) == sorted(slow) == sorted(p.pk for p in papers)
    for pk in slow:
        assert _item(fast[pk]) == _item(slow[pk])
    rich = fast[papers[1].pk]
    assert [e.date.isoformat() for e in rich.feed_entries] == ["2025-01-08", "2025-01-06"]
    assert [a.author.name for a in rich.authorships.all()] == [
        "Grace Hopper",
        "Alan Turing",
        "Ada Lovelace",
    ]


def test_related_objects_need_no_further_queries(papers):
    fast = load_papers([p.pk for p in papers])
    with CaptureQueriesContext(connection) as ctx:
        for paper in fast.values():
            _item(paper)
            for entry in paper.feed_entries:
                _ = entry.submitted_by, paper.organization
    assert len(ctx.captured_queries) == 0


def test_query_count_does_not_grow_with_the_page(papers):
    extra = [make_paper().pk for _ in range(10)]
    with CaptureQueriesContext(connection) as ctx:
        load_papers([p.pk for p in papers] + extra)
    assert len(ctx.captured_queries) <= 6
    assert load_papers([]) == {}


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_instances_are_what_the_orm_loads(papers):
    ids = [p.pk for p in papers]
    fast, slow = load_papers(ids), _orm_papers(ids)
    for pk, paper in fast.items():
        assert _fields(paper) == _fields(slow[pk])
        assert (paper._state.adding, paper._state.db) == (False, "default")
        fast_authors = list(paper.authorships.all())
        slow_authors = list(slow[pk].authorships.all())
        assert [_fields(a) for a in fast_authors] == [_fields(a) for a in slow_authors]
        assert [_fields(a.author) for a in fast_authors] == [
            _fields(a.author) for a in slow_authors
        ]
        for authorship in fast_authors:
            assert authorship.paper_id == paper.pk
            assert authorship.claimed_by == slow_authors[authorship.position].claimed_by
    rich = fast[papers[1].pk]
    rich.title = "Renamed"
    rich.save(update_fields=["title"])  # a loaded paper is a normal, saveable instance
    assert Paper.objects.get(pk=rich.pk).title == "Renamed"


def test_init_signal_receivers_still_see_every_instance(papers):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=PaperAuthor)
    try:
        fast = load_papers([p.pk for p in papers])
    finally:
        post_init.disconnect(receiver, sender=PaperAuthor)
    loaded = [a for paper in fast.values() for a in paper.authorships.all()]
    assert len(loaded) == 4
    assert all(any(a is s for s in seen) for a in loaded)


def test_a_served_page_leaves_no_reference_cycles(papers):
    """Papers are not linked back from their authorships and entries, so a page and its
    serialised items are freed when the request drops them, not by the cyclic collector."""
    ids = [p.pk for p in papers]
    gc.collect()
    gc.disable()
    try:
        fast = load_papers(ids)
        items = [_item(paper) for paper in fast.values()]
        assert items and any(paper.feed_entries for paper in fast.values())
        del fast, items
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_records_serialise_exactly_like_the_orm_prefetch(papers):
    ids = [p.pk for p in papers] + [10**9]
    records, slow = load_records(ids), _orm_papers(ids)
    assert sorted(records) == sorted(slow) == sorted(p.pk for p in papers)
    for pk in slow:
        assert _item(records[pk]) == _item(slow[pk])
    rich = records[papers[1].pk]
    # The claim, the hidden author, the organization and both visible feed entries are there.
    assert rich.authorship_list[1].claimed_by.username == "claimer"
    assert [a.hidden for a in rich.authorship_list] == [False, True, False]
    assert rich.organization.slug == "acme"
    assert [e.date.isoformat() for e in rich.feed_entries] == ["2025-01-08", "2025-01-06"]
    assert records[papers[2].pk].authorship_list == []
    assert load_records([]) == {} and load_records([10**9]) == {}


def test_records_match_the_loaded_model_fields(papers):
    """Every value a record carries is the model's (the converters ran: datetimes, JSON)."""
    ids = [p.pk for p in papers]
    records, slow = load_records(ids), _orm_papers(ids)
    for pk, record in records.items():
        paper = slow[pk]
        for name, value in record._asdict().items():
            if name in ("authorship_list", "feed_entries"):
                continue
            assert value == getattr(paper, name), name
        authors = list(paper.authorships.all())
        assert [(a.pk, a.author.name, a.claimed_by_id) for a in authors] == [
            (r.pk, r.author.name, r.claimed_by_id) for r in record.authorship_list
        ]


def test_records_need_no_further_queries(papers):
    extra = [make_paper(authors=("Extra Author",)).pk for _ in range(10)]
    with CaptureQueriesContext(connection) as ctx:
        records = load_records([p.pk for p in papers] + extra)
    assert len(ctx.captured_queries) <= 6
    with CaptureQueriesContext(connection) as ctx:
        for record in records.values():
            _item(record)
    assert len(ctx.captured_queries) == 0


def test_records_leave_no_reference_cycles(papers):
    gc.collect()
    gc.disable()
    try:
        items = [_item(r) for r in load_records([p.pk for p in papers]).values()]
        assert len(items) == 3
        del items
        assert gc.collect() == 0
    finally:
        gc.enable()
