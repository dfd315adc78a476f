"""End to end in headless Chromium: sign up, upvote (htmx), comment (htmx), submit a paper."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from community.models import Comment, Vote
from papers.models import DailyEntry
from tests.factories import make_entry, make_paper


@pytest.fixture
def page(browser):
    tab = browser.new_page()
    tab.set_default_timeout(15_000)
    return tab


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_up_upvote_comment_and_submit(page, live_server, arxiv, settings):
    now = timezone.now()
    paper = make_paper("2501.00042", title="A paper to discuss", published_at=now)
    make_entry(paper, timezone.localdate(now))
    arxiv.add("2501.00043", now - dt.timedelta(days=1), title="A freshly fetched paper")

    page.goto(f"{live_server.url}/accounts/signup/?next=/papers/2501.00042")
    page.fill("#id_username", "ada")
    page.fill("#id_email", "ada@example.org")
    page.fill("#id_password1", "analytical-engine-1843")
    page.fill("#id_password2", "analytical-engine-1843")
    page.click("button[type=submit]:has-text('Sign up')")
    page.wait_for_url("**/papers/2501.00042")

    button = page.locator(f"#upvote-{paper.pk} button")
    assert button.locator(".upvote-count").inner_text() == "0"
    button.click()
    page.wait_for_selector(f"#upvote-{paper.pk} button[aria-pressed=true]")
    assert page.locator(f"#upvote-{paper.pk} .upvote-count").inner_text() == "1"
    assert Vote.objects.filter(user__username="ada", paper=paper).count() == 1

    page.fill("#comment-body", "Loved the *ablation* study")
    page.click("button:has-text('Comment')")
    page.wait_for_selector(".comment-body em:has-text('ablation')")
    assert Comment.objects.get().author.username == "ada"

    page.goto(f"{live_server.url}/papers/submit")
    page.fill("#id_paper", "https://arxiv.org/abs/2501.00043")
    page.fill("#id_comment", "Worth a look")
    page.click("button:has-text('Submit')")
    page.wait_for_url("**/papers/2501.00043")
    assert "A freshly fetched paper" in page.content()
    assert DailyEntry.objects.get(paper__arxiv_id="2501.00043").submitted_by.username == "ada"

    # A refused htmx action explains itself (here: the vote rate limit).
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": (1, 3600)}
    # Both clicks fall in one fixed window: the server's clock starts a second into the next
    # hour (Chromium's own clock does not matter here).
    next_hour = (int(timezone.now().timestamp()) // 3600 + 1) * 3600 + 1
    with time_machine.travel(dt.datetime.fromtimestamp(next_hour, dt.UTC), tick=True):
        page.goto(f"{live_server.url}/papers/2501.00042")
        page.click(f"#upvote-{paper.pk} button")  # 1st request in the window: allowed
        page.wait_for_selector(f"#upvote-{paper.pk} button[aria-pressed=false]")
        page.click(f"#upvote-{paper.pk} button")  # 2nd: over the limit -> 429
        error = page.wait_for_selector("#htmx-errors .message")
    assert "Too many vote requests" in error.inner_text()
