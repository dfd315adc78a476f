"""The feed and a paper page in headless Chromium: visible, no console errors, phone-friendly."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_entry, make_org, make_paper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLE = "A Remarkably Long Title About Supercalifragilisticexpialidocious Transformers"


@pytest.fixture
def papers_day():
    org = make_org("acme-ai", "Acme Artificial Intelligence Research Laboratory")
    for n in range(5):
        paper = make_paper(
            arxiv_id=f"2503.1000{n}",
            title=LONG_TITLE if n == 0 else f"Paper {n}",
            authors=tuple(f"Author Number {n}-{k}" for k in range(12)),
            organization=org,
            github_repo="https://github.com/acme/a-very-long-repository-name-indeed",
            github_stars=12345,
            project_page="https://acme.example.org/project",
            ai_keywords=["a long keyword phrase", "another keyword", "third"],
            upvotes=10 - n,
            published_at=dt.datetime(2025, 3, 11, tzinfo=dt.UTC),
        )
        make_entry(paper, "2025-03-12", submitter_fullname="Someone With A Long Name")


def _open(browser, url: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    return page, errors, requests


def _overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


@pytest.mark.parametrize("width", [1280, 390])
def test_feed_renders_cards_without_errors(browser, live_server, papers_day, width):
    page, errors, requests = _open(browser, f"{live_server.url}/papers", width)
    assert page.get_by_role("heading", level=1, name="Daily Papers").is_visible()
    assert page.locator("article.paper-card").count() == 5
    assert page.get_by_role("link", name=LONG_TITLE).is_visible()
    assert errors == []
    assert all(url.startswith(live_server.url) for url in requests), requests  # no CDN
    assert not _overflows(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_paper_page_renders_without_errors(browser, live_server, papers_day, width):
    page, errors, _ = _open(browser, f"{live_server.url}/papers/2503.10000", width)
    assert page.get_by_role("heading", level=1, name=LONG_TITLE).is_visible()
    assert page.get_by_role("link", name="View PDF").is_visible()
    assert page.locator(".author-list li").count() == 12
    assert errors == []
    assert not _overflows(page)


def test_skip_link_is_first_and_focus_is_visible(browser, live_server, papers_day):
    page, _, _ = _open(browser, f"{live_server.url}/papers", 1280)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    assert page.locator(".skip-link").is_visible()
