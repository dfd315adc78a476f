"""``import_hf``: real Hugging Face daily-papers files (trimmed), malformed input, re-runs."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from papers.models import DailyEntry, Organization, Paper, PaperAuthor
from papers.signals import papers_changed

pytestmark = pytest.mark.django_db
HF_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "importers" / "hf"


@pytest.fixture(autouse=True)
def _no_index_receivers():
    with mock.patch.object(papers_changed, "receivers", []):
        yield


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_hf", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def items(day: str) -> list[dict]:
    return json.loads((HF_DIR / f"{day}.json").read_text())


def test_imports_real_days_with_their_listing_dates():
    out, _ = run(str(HF_DIR))
    assert "added 9, updated 0, unchanged 0, rejected 0" in out
    assert Paper.objects.count() == 9
    dates = sorted({str(d) for d in DailyEntry.objects.values_list("date", flat=True)})
    assert dates == ["2024-05-28", "2025-07-22", "2026-08-20"]


def test_maps_hf_fields():
    run(str(HF_DIR / "2026-08-20.json"))
    source = items("2026-08-20")[1]
    paper = Paper.objects.get(arxiv_id=source["paper"]["id"])
    assert paper.title == source["paper"]["title"]
    assert paper.upvotes == paper.imported_upvotes == source["paper"]["upvotes"]
    assert paper.num_comments == source["numComments"]
    assert paper.github_repo == source["paper"]["githubRepo"]
    assert paper.ai_keywords == source["paper"]["ai_keywords"]
    assert paper.extra["discussionId"] == source["paper"]["discussionId"]
    assert paper.organization == Organization.objects.get(slug=source["organization"]["name"])
    names = list(paper.authorships.order_by("position").values_list("author__name", flat=True))
    assert names == [a["name"] for a in source["paper"]["authors"]]
    first = paper.authorships.get(position=0)
    assert first.hf_id == source["paper"]["authors"][0]["_id"]
    entry = paper.daily_entries.get()
    assert entry.submitter_name == source["paper"]["submittedOnDailyBy"]["user"]
    assert entry.submitted_at is not None


def test_listing_date_falls_back_to_submission_then_publication(tmp_path: Path):
    old, new = items("2024-05-28")[0], items("2026-08-20")[0]
    (tmp_path / "undated.json").write_text(json.dumps([old, new]))
    run(str(tmp_path / "undated.json"))
    by_id = dict(DailyEntry.objects.values_list("paper__arxiv_id", "date"))
    assert by_id[new["paper"]["id"]] == dt.date.fromisoformat(
        new["paper"]["submittedOnDailyAt"][:10]
    )
    assert by_id[old["paper"]["id"]] == dt.date.fromisoformat(old["publishedAt"][:10])


def test_second_run_changes_nothing():
    run(str(HF_DIR))
    before = list(Paper.objects.order_by("id").values())
    authorships = list(PaperAuthor.objects.order_by("id").values())
    out, _ = run(str(HF_DIR))
    assert "added 0, updated 0, unchanged 9, rejected 0" in out
    assert list(Paper.objects.order_by("id").values()) == before
    assert list(PaperAuthor.objects.order_by("id").values()) == authorships


def test_newer_snapshot_updates_and_keeps_local_votes(tmp_path: Path):
    run(str(HF_DIR / "2025-07-22.json"))
    data = items("2025-07-22")
    arxiv_id = data[0]["paper"]["id"]
    Paper.objects.filter(arxiv_id=arxiv_id).update(upvotes=F("upvotes") + 3)  # local votes
    data[0]["paper"]["upvotes"] += 40
    data[0]["paper"]["title"] = "Retitled"
    (tmp_path / "2025-07-22.json").write_text(json.dumps(data))
    out, _ = run(str(tmp_path))
    assert "added 0, updated 1, unchanged 2, rejected 0" in out
    paper = Paper.objects.get(arxiv_id=arxiv_id)
    assert paper.title == "Retitled"
    assert paper.imported_upvotes == data[0]["paper"]["upvotes"]
    assert paper.upvotes == data[0]["paper"]["upvotes"] + 3


def test_malformed_records_are_reported_and_skipped(tmp_path: Path):
    good = items("2026-08-20")[0]
    no_title = json.loads(json.dumps(good))
    del no_title["paper"]["title"], no_title["title"]
    bad_id = json.loads(json.dumps(good))
    bad_id["paper"]["id"] = "12345"
    wrong_type = json.loads(json.dumps(good))
    wrong_type["paper"]["upvotes"] = "many"
    bad_date = json.loads(json.dumps(good))
    bad_date["paper"]["id"] = "2608.00001"
    bad_date["paper"]["publishedAt"] = "yesterday"
    unknown = json.loads(json.dumps(good))
    unknown["paper"]["id"], unknown["brandNewField"] = "2608.00002", {"x": 1}
    rows = [no_title, bad_id, wrong_type, bad_date, "not an object", unknown, good]
    (tmp_path / "2026-08-20.json").write_text(json.dumps(rows))
    out, err = run(str(tmp_path))
    assert "added 2, updated 0, unchanged 0, rejected 5" in out
    path = tmp_path / "2026-08-20.json"
    assert f"{path}[0]: paper.title: missing or empty" in err
    assert f"{path}[1]: paper.id: not an arXiv id: '12345'" in err
    assert f"{path}[2]: paper.upvotes: expected an integer, got str" in err
    assert f"{path}[3]: paper.publishedAt: not an ISO 8601 date: 'yesterday'" in err
    assert f"{path}[4]: item: expected a JSON object" in err
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {
        "2608.00002",
        good["paper"]["id"],
    }


def test_unreadable_file_fails_the_command_but_others_are_imported(tmp_path: Path):
    shutil.copy(HF_DIR / "2024-05-28.json", tmp_path)
    (tmp_path / "2024-05-29.json").write_text('[{"paper": ')
    (tmp_path / "2024-05-30.json").write_text('{"not": "a list"}')
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="3 input"):
        call_command("import_hf", str(tmp_path), str(tmp_path / "missing.json"),
                     "--no-progress", stdout=out, stderr=err)  # fmt: skip
    assert "2024-05-29.json: not valid JSON" in err.getvalue()
    assert "expected a JSON array" in err.getvalue()
    assert "missing.json: no such file or folder" in err.getvalue()
    assert "added 3," in out.getvalue()
    assert Paper.objects.count() == 3


def test_progress_bar_goes_to_stderr():
    err = StringIO()
    call_command("import_hf", str(HF_DIR), stdout=StringIO(), stderr=err)
    assert "import_hf: 100%" in err.getvalue() or "9 records" in err.getvalue()
