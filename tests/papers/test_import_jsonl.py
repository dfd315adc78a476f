"""``import_jsonl``: real lines of the shared arXiv file, aliases, .gz, --daily, bad lines."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from papers.models import DailyEntry, Paper, PaperAuthor
from papers.signals import papers_changed

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "importers" / "arxiv_sample.jsonl"


@pytest.fixture(autouse=True)
def _no_index_receivers():
    with mock.patch.object(papers_changed, "receivers", []):
        yield


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_jsonl", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sample_rows() -> list[dict]:
    return [json.loads(line) for line in SAMPLE.read_text().splitlines()]


def test_imports_real_arxiv_lines_as_searchable_papers_not_feed_entries():
    out, _ = run(str(SAMPLE))
    assert "added 5, updated 0, unchanged 0, rejected 0" in out
    row = sample_rows()[0]
    paper = Paper.objects.get(arxiv_id=row["id"])
    assert (paper.title, paper.abstract, paper.comment) == (
        row["title"],
        row["abstract"],
        row["comment"],
    )
    assert (paper.categories, paper.primary_category) == (
        row["categories"],
        row["primary_category"],
    )
    assert paper.published_at == dt.datetime.fromisoformat(row["listing_date"]).replace(
        tzinfo=dt.UTC
    )
    names = list(paper.authorships.order_by("position").values_list("author__name", flat=True))
    assert names == row["authors"]
    assert paper.source == "jsonl"
    assert not DailyEntry.objects.exists()


def test_daily_flag_puts_papers_on_their_listing_day():
    run(str(SAMPLE), "--daily")
    assert DailyEntry.objects.count() == 5
    assert set(DailyEntry.objects.values_list("date", flat=True)) == {
        dt.date.fromisoformat(r["listing_date"]) for r in sample_rows()
    }


def test_gzip_and_generic_aliases(tmp_path: Path):
    lines = [
        {"arxiv_id": "arXiv:2401.01234v3", "title": "Alias paper", "summary": "S.",
         "authors": "Ada Lovelace, Alan Turing and Grace Hopper",
         "published": "2024-01-02T10:00:00Z"},
        {"id": "https://arxiv.org/abs/hep-th/9901001", "title": "Old style", "date": "1999-01-04"},
    ]  # fmt: skip
    path = tmp_path / "papers.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(json.dumps(line) for line in lines) + "\n\n")
    out, _ = run(str(path))
    assert "added 2," in out
    paper = Paper.objects.get(arxiv_id="2401.01234")
    assert (paper.version, paper.abstract) == (3, "S.")
    assert paper.published_at == dt.datetime(2024, 1, 2, 10, tzinfo=dt.UTC)
    names = list(paper.authorships.order_by("position").values_list("author__name", flat=True))
    assert names == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert Paper.objects.filter(arxiv_id="hep-th/9901001").exists()


def test_bad_lines_are_rejected_with_line_numbers(tmp_path: Path):
    good = SAMPLE.read_text().splitlines()[0]
    bad = [
        "{not json",
        json.dumps({"id": "2503.99999", "authors": ["A"]}),
        json.dumps({"id": "nope", "title": "T"}),
        json.dumps({"id": "2503.99998", "title": "T", "authors": 42}),
        json.dumps({"id": "2503.99997", "title": "T", "listing_date": "2025-13-45"}),
        json.dumps(["a", "list"]),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([*bad, good]) + "\n")
    out, err = run(str(path))
    assert "added 1, updated 0, unchanged 0, rejected 6" in out
    assert f"{path}:1: line: not valid JSON" in err
    assert f"{path}:2: title: missing or empty" in err
    assert f"{path}:3: id: not an arXiv id: 'nope'" in err
    assert f"{path}:4: authors: expected a list or a string, got int" in err
    assert f"{path}:5: listing_date: not an ISO 8601 date: '2025-13-45'" in err
    assert f"{path}:6: line: expected a JSON object, got list" in err


def test_second_run_is_all_unchanged():
    run(str(SAMPLE))
    before = list(Paper.objects.order_by("id").values())
    authorships = list(PaperAuthor.objects.order_by("id").values_list("id", flat=True))
    out, _ = run(str(SAMPLE))
    assert "added 0, updated 0, unchanged 5, rejected 0" in out
    assert list(Paper.objects.order_by("id").values()) == before
    assert list(PaperAuthor.objects.order_by("id").values_list("id", flat=True)) == authorships


def test_truncated_gzip_keeps_what_was_read_and_fails(tmp_path: Path):
    data = gzip.compress(SAMPLE.read_bytes())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) - 40])
    with pytest.raises(CommandError, match="could not be used"):
        call_command(
            "import_jsonl", str(path), "--no-progress", stdout=StringIO(), stderr=StringIO()
        )
    assert Paper.objects.count() >= 1


def test_missing_file_is_a_clear_error():
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_jsonl", "/nonexistent/x.jsonl", stdout=StringIO(), stderr=err)
    assert "/nonexistent/x.jsonl: no such file or folder" in err.getvalue()
