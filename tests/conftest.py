"""Fixtures shared by all tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: rate-limit counters never carry over."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _isolated_index_dir(settings, tmp_path: Path) -> None:
    """Each test gets its own search-index directory, so tests never share derived files."""
    settings.SEARCH_INDEX_DIR = tmp_path / "index"


@pytest.fixture(autouse=True)
def _no_real_arxiv(settings) -> None:
    """Pages of papers we lack ask arXiv: in tests, never the real one (a closed local port
    answers at once, as an unreachable arXiv); tests that need arXiv run a fake upstream."""
    settings.ARXIV_API_URL = "http://127.0.0.1:9/api/query"


@pytest.fixture(autouse=True, scope="session")
def _shared_model_dir() -> None:
    """Servers and commands started by tests reuse this run's derived model files instead of
    deriving them again in their own data directories (~3 s each)."""
    from django.conf import settings

    os.environ.setdefault("SEARCH_MODEL_DIR", str(settings.SEARCH_MODEL_DIR))


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


def chromium_path() -> str | None:
    """Debian's chromium, or None; tests needing it skip unless CI demands the browser."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("DAILYPAPERS_REQUIRE_BROWSER") == "1":
        pytest.fail("chromium is required (DAILYPAPERS_REQUIRE_BROWSER=1) but not installed")
    return found


# Flags Debian's chromium needs here: no sandbox as root, and no background connections
# (this machine has no network, so they would only fail and slow the start).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium (Playwright) — skipped when chromium is absent, unless CI needs it."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("Debian chromium is not installed")
    # Playwright's sync API keeps an event loop running in this thread, which makes Django
    # refuse ORM calls from fixtures; they are still synchronous, so this is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
