"""``load_demo``: the bundled demo data (what ``dailypapers serve`` loads on first start)."""

from __future__ import annotations

import gzip
import json
from io import StringIO
from itertools import islice
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from papers.demo.build_demo import strip_item
from papers.importers.hf import read_hf_lines
from papers.importers.records import PaperRecord
from papers.management.commands.load_demo import DEMO_FILE
from papers.models import DailyEntry, Paper
from papers.signals import papers_changed
from tests.factories import make_paper

pytestmark = pytest.mark.django_db
HF_DAY = Path(__file__).resolve().parents[1] / "fixtures" / "importers" / "hf" / "2026-08-20.json"


@pytest.fixture(autouse=True)
def _no_index_receivers():
    with mock.patch.object(papers_changed, "receivers", []):
        yield


def test_bundled_file_is_small_and_every_line_parses():
    assert DEMO_FILE.stat().st_size < 4_000_000
    with gzip.open(DEMO_FILE, "rt") as lines:
        assert sum(1 for _ in lines) >= 2900
    first = list(islice(read_hf_lines(DEMO_FILE), 200))
    assert all(isinstance(item, PaperRecord) and item.daily for item in first)


def test_loads_stripped_items_onto_their_days(tmp_path: Path):
    items = json.loads(HF_DAY.read_text())
    path = tmp_path / "demo.jsonl.gz"
    with gzip.open(path, "wt") as out:
        for item in items:
            out.write(json.dumps({"date": "2026-08-20", "item": strip_item(item)}) + "\n")
    out = StringIO()
    call_command(
        "load_demo",
        "--path",
        str(path),
        "--no-progress",
        "--keep-dates",
        stdout=out,
        stderr=StringIO(),
    )
    assert "added 3, updated 0, unchanged 0, rejected 0" in out.getvalue()
    assert DailyEntry.objects.filter(date="2026-08-20").count() == 3
    paper = Paper.objects.get(arxiv_id=items[1]["paper"]["id"])
    assert paper.ai_summary == items[1]["paper"]["ai_summary"]
    assert paper.organization is not None


def test_if_empty_skips_a_database_with_papers():
    make_paper()
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out, stderr=StringIO())
    assert "already has papers" in out.getvalue()
    assert Paper.objects.count() == 1


def test_missing_demo_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(CommandError, match="demo data not found"):
        call_command("load_demo", "--path", str(tmp_path / "nope.gz"), stdout=StringIO())


def test_load_demo_loads_the_bundled_papers():
    out = StringIO()
    call_command("load_demo", "--if-empty", "--no-progress", stdout=out, stderr=StringIO())
    assert "rejected 0" in out.getvalue()
    assert Paper.objects.count() >= 2900
    assert DailyEntry.objects.dates("date", "day").count() >= 100
