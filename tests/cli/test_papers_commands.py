"""``dailypapers papers ls|search|info|read`` against the local database (in-process)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_ls_defaults_to_the_latest_day_as_a_table(cli, feed):
    run = cli("papers", "ls")
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0].split() == ["ID", "DATE", "UPVOTES", "COMMENTS", "TITLE"]
    assert lines[1].split()[:3] == ["2502.00003", "2025-02-11", "9"]
    assert len(lines) == 2


def test_ls_date_json_is_the_api_shape(cli, feed, client):
    run = cli("papers", "ls", "--date", "2025-02-10", "--json")
    assert run.code == 0
    assert run.json() == client.get("/api/daily_papers?date=2025-02-10").json()
    assert [item["paper"]["id"] for item in run.json()] == ["2502.04507", "2502.00002"]


def test_global_json_flag_before_the_command(cli, feed):
    run = cli("--json", "papers", "ls", "--week", "2025-W07", "--limit", "1")
    assert run.code == 0
    assert [item["paper"]["id"] for item in run.json()] == ["2502.04507"]


def test_ls_month_sort_and_page(cli, feed):
    run = cli(
        "papers",
        "ls",
        "--month",
        "2025-02",
        "--sort",
        "publishedAt",
        "--limit",
        "2",
        "--page",
        "1",
        "--json",
    )
    assert run.code == 0
    assert len(run.json()) == 1


def test_ls_empty_period_says_so(cli, feed):
    run = cli("papers", "ls", "--date", "2024-01-01")
    assert run.code == 0
    assert run.out == ""
    assert "No papers" in run.err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["papers", "ls", "--date", "2025-02-30"], "not a real calendar date"),
        (["papers", "ls", "--week", "2025-7"], "YYYY-Www"),
        (["papers", "ls", "--limit", "0"], "between 1 and 100"),
        (["papers", "ls", "--limit", "many"], "not a whole number"),
        (["papers", "ls", "--page", "-1"], "pages count from 0"),
        (["papers", "ls", "--sort", "best"], "invalid choice"),
        (["papers", "ls", "--date", "2025-02-10", "--week", "2025-W07"], "not allowed with"),
        (["papers", "info"], "required"),
        (["papers"], "required"),
        ([], "required"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_usage_exits_2_with_a_message(cli, feed, args, fragment):
    run = cli(*args)
    assert run.code == 2
    assert fragment in run.err
    assert "Traceback" not in run.err


def test_help_exits_0(cli):
    run = cli("--help")
    assert run.code == 0
    assert "papers" in run.out


def test_info_table_and_json(cli, feed):
    run = cli("papers", "info", "https://arxiv.org/abs/2502.04507v1")
    assert run.code == 0
    assert "Title:        Fast Video Generation with Sliding Tile Attention" in run.out
    assert "Authors:      Ada Lovelace, Alan Turing" in run.out
    assert "Organization: Hao AI Lab" in run.out
    assert "GitHub:       https://github.com/hao-ai-lab/FastVideo" in run.out
    assert "Abstract:\nDiffusion transformers" in run.out
    as_json = cli("papers", "info", "2502.04507", "--json").json()
    assert as_json["id"] == "2502.04507"
    assert as_json["upvotes"] == 25


def test_info_unknown_paper_exits_1(cli, feed):
    run = cli("papers", "info", "2502.99999")
    assert run.code == 1
    assert run.err == "error: No paper with arXiv id 2502.99999 here.\n"


def test_info_malformed_id_exits_2(cli, feed):
    run = cli("papers", "info", "not-a-paper")
    assert run.code == 2
    assert "is not an arXiv id" in run.err


def test_read_prints_markdown(cli, feed):
    run = cli("papers", "read", "2502.04507")
    assert run.code == 0
    assert run.out.startswith("# Fast Video Generation with Sliding Tile Attention\n")
    assert "## Abstract" in run.out
    assert cli("papers", "read", "2502.04507", "--json").json()["markdown"] == run.out


def test_read_unknown_paper_exits_1(cli, feed):
    run = cli("papers", "read", "2502.99999")
    assert run.code == 1
    assert "No paper with arXiv id 2502.99999" in run.err


def test_search_finds_by_title_words(cli, feed):
    assert cli("index", "rebuild").code == 0  # each test has its own, empty index directory
    run = cli("papers", "search", "sliding tile attention", "--mode", "keyword", "--json")
    assert run.code == 0, run.err
    assert run.json()[0]["paper"]["id"] == "2502.04507"
    table = cli("papers", "search", "sliding tile attention", "--mode", "keyword")
    assert table.out.splitlines()[1].startswith("2502.04507")


def test_search_bad_usage(cli, feed):
    assert cli("papers", "search", "x", "--mode", "fuzzy").code == 2
    assert cli("papers", "search").code == 2


def test_unmigrated_database_is_explained(cli, monkeypatch):
    from django.db import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("no such table: papers_dailyentry")

    monkeypatch.setattr("api.feed.feed_items", broken)
    monkeypatch.setattr("api.daily.feed_items", broken)
    run = cli("papers", "ls")
    assert run.code == 1
    assert "database is not ready" in run.err


def test_read_strips_terminal_escape_sequences_from_what_it_prints(cli, feed):
    """A comment stored with escape sequences (before input was cleaned, or by a remote
    server) cannot retitle, clear or recolour the reader's terminal."""
    from django.utils import timezone

    from community.models import Comment
    from papers.models import Paper
    from tests.factories import make_user

    hostile = "\x1b]0;pwned\x07\x1b[2J\x1b[31mFAKE\x1b[0m \x9b1mC1\x07 body\rover"
    Comment.objects.create(
        paper=Paper.objects.get(arxiv_id="2502.04507"),
        author=make_user("mallory"),
        body=hostile,
        body_html="<p>x</p>",
        created_at=timezone.now(),
    )
    for args in (("papers", "read", "2502.04507"), ("papers", "read", "2502.04507", "--json")):
        run = cli(*args)
        assert run.code == 0
        for control in ("\x1b", "\x9b", "\x07", "\r"):
            assert control not in run.out, (args, control)
    assert "FAKE C1 body" in cli("papers", "read", "2502.04507").out


def test_terminal_safe_keeps_text_and_layout():
    from dailypapers.text import terminal_safe

    assert terminal_safe("tab\there\nnext line é 日本") == "tab\there\nnext line é 日本"
    assert terminal_safe("a\x1bPdcs string\x1b\\b") == "ab"
    assert terminal_safe("bar\r50%", keep_carriage_return=True) == "bar\r50%"
