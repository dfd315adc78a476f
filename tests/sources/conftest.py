from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sources.upstream import FakeUpstream, serve


@pytest.fixture
def upstream(settings) -> Iterator[FakeUpstream]:
    """The fake upstream, with every source pointed at it and no politeness delay."""
    fake = FakeUpstream()
    server, base = serve(fake)
    settings.ARXIV_OAI_URL = f"{base}/oai"
    settings.ARXIV_API_URL = f"{base}/api/query"
    settings.HF_API_URL = base
    settings.GITHUB_API_URL = f"{base}/github"
    settings.ARXIV_REQUEST_DELAY = 0
    settings.FOLLOW_REQUEST_DELAY = 0
    settings.FOLLOW_HTTP_BACKOFF = 0
    settings.FOLLOW_HTTP_RETRIES = 2
    settings.FOLLOW_MAX_RETRY_AFTER = 5
    settings.ARXIV_TIMEOUT = 1.0
    settings.FOLLOW_ARXIV_CATEGORIES = ["cs.CL", "cs.LG"]
    settings.FOLLOW_HF = True
    settings.FOLLOW_GITHUB = True
    settings.ARXIV_ON_DEMAND = True
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters and cached pages live in the cache: none carries over."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
