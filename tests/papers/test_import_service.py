"""The write service every importer uses: upserts, idempotency, merges, counts, signals."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db.models import F

from papers.importers.records import AuthorRecord, DailyRecord, OrganizationRecord, PaperRecord
from papers.models import Author, DailyEntry, Organization, Paper, PaperAuthor
from papers.services import upsert_papers
from papers.signals import papers_changed
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_other_receivers():
    """Only this file's receivers: the search app's indexing is not under test here."""
    with mock.patch.object(papers_changed, "receivers", []):
        yield


def record(arxiv_id: str = "2501.00001", **fields) -> PaperRecord:
    defaults = {
        "title": "A paper",
        "source": "hf",
        "abstract": "An abstract.",
        "authors": [AuthorRecord("Ada Lovelace", hf_id="a1"), AuthorRecord("Alan Turing")],
        "published_at": dt.datetime(2025, 1, 6, tzinfo=dt.UTC),
    }
    return PaperRecord(arxiv_id=arxiv_id, **(defaults | fields))


def test_creates_paper_with_ordered_authors_org_and_daily_entry():
    stats = upsert_papers(
        [
            record(
                organization=OrganizationRecord("acme", "Acme Labs"),
                daily=DailyRecord(dt.date(2025, 1, 7), submitter_name="ada"),
                upvotes=7,
                comments=2,
            )
        ]
    )
    assert (stats.added, stats.updated, stats.unchanged, stats.rejected) == (1, 0, 0, 0)
    paper = Paper.objects.get(arxiv_id="2501.00001")
    names = [a.author.name for a in paper.authorships.order_by("position")]
    assert names == ["Ada Lovelace", "Alan Turing"]
    assert paper.authorships.get(position=0).hf_id == "a1"
    assert Author.objects.get(name="Ada Lovelace").slug == "ada-lovelace"
    assert paper.organization == Organization.objects.get(slug="acme", name="Acme Labs")
    assert (paper.upvotes, paper.imported_upvotes, paper.num_comments) == (7, 7, 2)
    entry = DailyEntry.objects.get(paper=paper)
    assert (entry.date, entry.submitter_name) == (dt.date(2025, 1, 7), "ada")


def test_same_input_twice_writes_nothing():
    upsert_papers([record(upvotes=3, daily=DailyRecord(dt.date(2025, 1, 7)))])
    before = list(Paper.objects.values())
    authorship_ids = list(PaperAuthor.objects.values_list("id", flat=True))
    stats = upsert_papers([record(upvotes=3, daily=DailyRecord(dt.date(2025, 1, 7)))])
    assert (stats.added, stats.updated, stats.unchanged) == (0, 0, 1)
    assert list(Paper.objects.values()) == before  # updated_at included: no write at all
    assert list(PaperAuthor.objects.values_list("id", flat=True)) == authorship_ids


def test_newer_counts_move_totals_by_the_difference_keeping_local_votes():
    upsert_papers([record(upvotes=10, comments=1)])
    Paper.objects.update(upvotes=F("upvotes") + 2, num_comments=F("num_comments") + 1)  # local
    stats = upsert_papers([record(upvotes=15, comments=4, title="A better title")])
    paper = Paper.objects.get()
    assert stats.updated == 1
    assert (paper.imported_upvotes, paper.upvotes) == (15, 17)
    assert (paper.imported_comments, paper.num_comments) == (4, 5)
    assert paper.title == "A better title"


def test_a_source_without_a_field_never_blanks_it():
    upsert_papers([record(github_repo="https://github.com/a/b", ai_summary="Short.", upvotes=9)])
    upsert_papers(
        [record(source="arxiv", abstract="Abstract v2.", categories=["cs.CL"], version=2)]
    )
    paper = Paper.objects.get()
    assert (paper.github_repo, paper.ai_summary, paper.upvotes) == (
        "https://github.com/a/b",
        "Short.",
        9,
    )
    assert (paper.abstract, paper.categories, paper.version, paper.source) == (
        "Abstract v2.",
        ["cs.CL"],
        2,
        "hf",
    )


def test_changed_author_list_keeps_claims_of_remaining_authors():
    upsert_papers([record()])
    user = make_user("ada")
    PaperAuthor.objects.filter(author__name="Ada Lovelace").update(claimed_by=user)
    authors = [AuthorRecord("Grace Hopper"), AuthorRecord("Ada Lovelace")]
    stats = upsert_papers([record(authors=authors)])
    assert stats.updated == 1
    rows = list(Paper.objects.get().authorships.order_by("position"))
    assert [r.author.name for r in rows] == ["Grace Hopper", "Ada Lovelace"]
    assert rows[1].claimed_by == user
    assert rows[1].hf_id == "a1"  # the arXiv-style record gave no HF id: kept
    assert rows[0].claimed_by is None


def test_weak_fields_fill_only_empty_values():
    real = dt.datetime(2025, 1, 6, 17, tzinfo=dt.UTC)
    upsert_papers([record(published_at=real)])
    guess = dt.datetime(2025, 1, 8, tzinfo=dt.UTC)
    stats = upsert_papers([record(published_at=guess, weak_fields=frozenset({"published_at"}))])
    assert stats.unchanged == 1
    assert Paper.objects.get().published_at == real


def test_an_older_listing_does_not_overwrite_a_newer_snapshot():
    newer = record(upvotes=50, daily=DailyRecord(dt.date(2025, 1, 9)))
    older = record(upvotes=5, daily=DailyRecord(dt.date(2025, 1, 7)))
    upsert_papers([newer])
    stats = upsert_papers([older, newer])  # e.g. a re-run over both days
    assert Paper.objects.get().upvotes == 50
    assert DailyEntry.objects.count() == 2
    assert (stats.updated, stats.unchanged) == (1, 1)  # the older day's entry was added


def test_repeated_id_in_one_input_is_applied_in_order():
    stats = upsert_papers(
        [
            record(upvotes=1, daily=DailyRecord(dt.date(2025, 1, 7))),
            record(upvotes=3, daily=DailyRecord(dt.date(2025, 1, 8))),
        ]
    )
    assert (stats.added, stats.updated) == (1, 1)
    assert Paper.objects.get().upvotes == 3
    assert DailyEntry.objects.count() == 2


def test_invalid_records_are_rejected_with_a_reason_and_the_rest_written():
    rejected = []
    stats = upsert_papers(
        [
            record("2501.00001"),
            record("not-an-id", origin="file.json[1]"),
            record("2501.00003", title="  "),
            record("2501.00004", github_repo="javascript:alert(1)"),
            record("2501.00005", authors=[AuthorRecord("")]),
        ],
        on_reject=rejected.append,
    )
    # An unsafe link is dropped from a record that is otherwise kept, with a message.
    assert (stats.added, stats.rejected) == (2, 3)
    assert [r.field for r in rejected] == ["id", "title", "github_repo", "authors[0].name"]
    assert str(rejected[0]).startswith("rejected file.json[1]: id: not an arXiv id")
    assert str(rejected[2]).startswith("dropped github_repo of 2501.00004: not an http(s) URL")
    assert Paper.objects.get(arxiv_id="2501.00004").github_repo == ""


def test_papers_changed_is_sent_after_commit_with_changed_ids(django_capture_on_commit_callbacks):
    received = []
    papers_changed.connect(lambda sender, paper_ids, **kw: received.append(paper_ids), weak=False)
    with django_capture_on_commit_callbacks(execute=False):
        upsert_papers([record("2501.00001"), record("2501.00002")], batch_size=1)
        assert received == []  # nothing before the commit
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        upsert_papers([record("2501.00003"), record("2501.00004")], batch_size=1)
    ids = dict(Paper.objects.values_list("arxiv_id", "id"))
    assert received == [[ids["2501.00003"]], [ids["2501.00004"]]]  # one signal per batch
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        upsert_papers([record("2501.00003"), record("2501.00004", title="New")])
    assert received == [[ids["2501.00004"]]]  # unchanged papers are not announced


def test_batches_are_transactions(monkeypatch):
    """A failure inside a batch leaves nothing of that batch (no paper without authors)."""
    from papers import services

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "_sync_daily_entries", broken)
    with pytest.raises(RuntimeError):
        upsert_papers([record(daily=DailyRecord(dt.date(2025, 1, 7)))])
    assert not Paper.objects.exists()
    assert not PaperAuthor.objects.exists()


def test_a_change_of_authors_alone_moves_updated_at():
    # Other nodes' search indexes pick up changed papers by updated_at (authors are indexed).
    upsert_papers([record()])
    stamp = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    Paper.objects.update(updated_at=stamp)
    upsert_papers([record()])  # same authors: nothing changed
    assert Paper.objects.get().updated_at == stamp
    upsert_papers([record(authors=[AuthorRecord("Grace Hopper")])])
    assert Paper.objects.get().updated_at > stamp
