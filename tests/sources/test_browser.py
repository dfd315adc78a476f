"""In a real browser: the "fetching from arXiv…" page turns into the paper by itself."""

from __future__ import annotations

import pytest

from sources.ondemand import fetch_now
from tests.sources.upstream import atom_entry


@pytest.mark.django_db(transaction=True)
def test_the_fetching_page_becomes_the_paper_page(upstream, live_server, browser, settings):
    upstream.atom["2612.00042"] = atom_entry("2612.00042", "The answer, fetched")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    page = browser.new_page()
    page.goto(f"{live_server.url}/papers/2612.00042")
    assert "Fetching 2612.00042 from arXiv" in page.text_content("h1")
    page.wait_for_timeout(1500)  # a poll or two while the fetch is still pending
    assert "Fetching" in page.text_content("h1")
    assert fetch_now("2612.00042") == "done"  # what a task worker does
    page.wait_for_selector("#paper-title", timeout=10_000)
    assert page.text_content("#paper-title") == "The answer, fetched"
