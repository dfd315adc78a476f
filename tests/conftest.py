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
def _isolated_index_dir(settings, tmp_path: Path) -> None:
    """Each test gets its own search-index directory, so tests never share derived files."""
    settings.SEARCH_INDEX_DIR = tmp_path / "index"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


def chromium_path() -> str | None:
    """Debian's chromium, or None; tests needing it skip unless CI demands the browser."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("DAILYPAPERS_REQUIRE_BROWSER") == "1":
        pytest.fail("chromium is required (DAILYPAPERS_REQUIRE_BROWSER=1) but not installed")
    return found
