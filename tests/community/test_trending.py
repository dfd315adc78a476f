"""Trending: the published formula with exact numbers, stable ties, periods, transparency."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import services
from community.models import Comment, Vote
from community.trending import period_window, trending_papers
from tests.community.conftest import NOW
from tests.factories import make_daily_paper, make_entry, make_paper, make_user

pytestmark = pytest.mark.django_db

H = 24.0


def decay(hours: float) -> float:
    return 2 ** (-hours / H)


def vote_at(user, paper, hours_ago: float) -> None:
    Vote.objects.create(user=user, paper=paper, created_at=NOW - dt.timedelta(hours=hours_ago))


def comment_at(user, paper, hours_ago: float, **fields) -> Comment:
    comment = services.add_comment(user, paper, "hello", now=NOW - dt.timedelta(hours=hours_ago))
    Comment.objects.filter(pk=comment.pk).update(**fields)
    return comment


def test_score_follows_the_formula_exactly(owner, other, paper, frozen):
    # paper: on the feed of 2025-01-08 (12 h before NOW) with 3 imported upvotes.
    vote_at(owner, paper, 0)
    vote_at(other, paper, 24)
    comment_at(owner, paper, 48)
    [item] = trending_papers("week")
    expected = 1 + decay(24) + 3 * decay(12) + 0.5 * decay(48)
    assert item.paper.pk == paper.pk
    assert math.isclose(item.score, expected, rel_tol=1e-9)
    assert item.explanation.startswith(f"score {expected:.3f} = 2 local votes")
    assert f"→ {1 + decay(24):.3f}" in item.explanation
    assert "3 imported upvotes counted at the feed date 2025-01-08 (12.0h ago" in item.explanation
    assert f"1 comments decayed → {decay(48):.3f}" in item.explanation


def test_recent_attention_beats_old_attention(owner, frozen):
    voters = [make_user(f"v{i}") for i in range(3)]
    old = make_daily_paper("2025-01-06", arxiv_id="2501.00010").paper
    fresh = make_daily_paper("2025-01-06", arxiv_id="2501.00011").paper
    for user in voters:
        vote_at(user, old, 48)
    vote_at(voters[0], fresh, 1)
    vote_at(voters[1], fresh, 2)
    # 3 votes two days ago (0.75) < 2 votes in the last hours (~1.9)
    assert [i.paper.pk for i in trending_papers("week")] == [fresh.pk, old.pk]


def test_ties_break_by_upvotes_then_arxiv_id(frozen):
    a = make_daily_paper("2025-01-08", arxiv_id="2501.00003").paper
    b = make_daily_paper("2025-01-08", arxiv_id="2501.00002").paper
    c = make_daily_paper("2025-01-08", arxiv_id="2501.00004", upvotes=5).paper
    # All scores are 0 (no votes); c has more total upvotes; a/b tie -> arXiv id ascending.
    assert [i.paper.pk for i in trending_papers("week")] == [c.pk, b.pk, a.pk]
    assert [i.paper.pk for i in trending_papers("week")] == [c.pk, b.pk, a.pk]


def test_hidden_entries_late_votes_and_removed_comments_do_not_count(owner, other, frozen):
    shown = make_daily_paper("2025-01-08").paper
    hidden = make_paper()
    make_entry(hidden, "2025-01-08", hidden=True)
    vote_at(owner, shown, -5)  # cast after "now": ignored for a reproducible ranking
    comment_at(owner, shown, 1, hidden=True)
    comment_at(other, shown, 1, deleted_at=NOW)
    [item] = trending_papers("week")
    assert item.paper.pk == shown.pk
    assert hidden.pk not in [i.paper.pk for i in trending_papers("month")]
    assert item.score == 0


def test_periods_select_by_feed_date(frozen):
    today = make_daily_paper("2025-01-08").paper
    five_days = make_daily_paper("2025-01-03").paper
    twenty_days = make_daily_paper("2024-12-19").paper
    make_daily_paper("2024-11-01")
    assert {i.paper.pk for i in trending_papers("today")} == {today.pk}
    assert {i.paper.pk for i in trending_papers("week")} == {today.pk, five_days.pk}
    assert {i.paper.pk for i in trending_papers("month")} == {
        today.pk,
        five_days.pk,
        twenty_days.pk,
    }


def test_today_is_the_latest_feed_day_when_today_is_empty(frozen):
    friday = make_daily_paper("2025-01-03").paper
    assert period_window("today", NOW) == (dt.date(2025, 1, 3), dt.date(2025, 1, 3))
    assert [i.paper.pk for i in trending_papers("today")] == [friday.pk]


def test_explicit_now_ranks_a_past_moment(owner, paper):
    vote_at(owner, paper, 0)
    past = trending_papers("week", now=NOW - dt.timedelta(hours=1))
    assert past[0].score == pytest.approx(3 * decay(11))


def test_unknown_period_is_refused():
    with pytest.raises(ValueError, match="period must be one of"):
        trending_papers("year")  # type: ignore[arg-type]


def test_page_shows_explanations_on_hover_and_switches_periods(client, owner, paper, frozen):
    vote_at(owner, paper, 0)
    html = client.get("/papers/trending?period=today").content.decode()
    assert paper.title in html
    assert 'title="score ' in html  # hover
    assert 'aria-current="page">Today' in html
    assert client.get("/papers/trending?period=decade").status_code == 400


def test_page_query_count_does_not_grow_with_papers(client, frozen):
    voter = make_user("voter")

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/papers/trending?period=week").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        vote_at(voter, make_daily_paper("2025-01-07").paper, 1)
    few = count_queries()
    for n in range(12):
        make_daily_paper("2025-01-06", upvotes=n)
    assert count_queries() == few


def test_ranking_is_cached_but_counts_are_fresh(settings, owner, paper, frozen):
    settings.TRENDING_CACHE_SECONDS = 60
    trending_papers("week")
    services.set_vote(owner, paper.pk, True)
    with CaptureQueriesContext(connection) as ctx:
        [item] = trending_papers("week")
    assert not any("WITH feed" in q["sql"] for q in ctx.captured_queries)
    assert item.paper.upvotes == 4


def test_about_page_publishes_the_formula(client):
    html = client.get("/about/trending").content.decode()
    assert "decay(age) = 2 ^ -(age in hours / 24)" in html
    assert "TRENDING_HALF_LIFE_HOURS" in html
    assert 'href="/about/trending"' in html  # footer link


def test_paper_page_explains_its_score(client, owner, paper, frozen):
    vote_at(owner, paper, 0)
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Trending score" in html
    assert "1 local votes" in html


def test_one_paper_score_matches_the_full_ranking(owner, other, paper, frozen):
    from community.trending import paper_trending

    busy = make_daily_paper("2025-01-05", upvotes=9, imported_upvotes=9).paper
    vote_at(owner, paper, 3)
    vote_at(other, busy, 30)
    comment_at(owner, busy, 5)
    ranking = {item.paper.pk: item for item in trending_papers("month")}
    for one in (paper, busy):
        single = paper_trending(one)
        assert single is not None
        assert single.score == pytest.approx(ranking[one.pk].score)
        assert single.explanation == ranking[one.pk].explanation


def test_default_page_falls_back_to_the_latest_feed_day_after_a_quiet_week(client, frozen):
    old = make_daily_paper("2024-11-01", title="An archived favourite").paper
    page = client.get("/papers/trending").content.decode()
    assert "Nothing was on the feed in the last 7 days" in page
    assert old.title in page
    explicit = client.get("/papers/trending?period=week").content.decode()
    assert old.title not in explicit
    assert 'href="/papers/date/2024-11-01"' in explicit  # the empty state points somewhere
