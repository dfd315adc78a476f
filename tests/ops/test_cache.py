"""The content-version cache: invalidation on writes, anonymous-only pages, CSRF tokens."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, _unmask_cipher_token
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone

from dailypapers.cache import (
    bump_content_version,
    cache_anonymous_page,
    cached_data,
    content_version,
)
from papers.models import Paper
from tests.factories import make_paper, make_user

pytestmark = pytest.mark.django_db


def test_version_changes_on_paper_writes_of_every_kind() -> None:
    v0 = content_version()
    paper = make_paper()
    v1 = content_version()
    assert v1 != v0
    Paper.objects.filter(pk=paper.pk).update(upvotes=5)  # no save(), no signal
    v2 = content_version()
    assert v2 != v1
    Paper.objects.filter(pk=paper.pk).delete()
    assert content_version() != v2


def test_version_changes_on_votes_and_comments() -> None:
    from community.models import Comment, Vote

    paper, user = make_paper(), make_user()
    v0 = content_version()
    Vote.objects.create(user=user, paper=paper, created_at=timezone.now())
    v1 = content_version()
    assert v1 != v0
    Comment.objects.create(
        paper=paper, author=user, body="hi", body_html="<p>hi</p>", created_at=timezone.now()
    )
    assert content_version() != v1


def test_unrelated_writes_do_not_invalidate() -> None:
    v0 = content_version()
    make_user()
    Session.objects.create(session_key="k" * 32, session_data="", expire_date=timezone.now())
    assert content_version() == v0


def test_one_bump_per_transaction_for_bulk_writes() -> None:
    v0 = content_version()
    with transaction.atomic():
        for i in range(20):
            make_paper(arxiv_id=f"2502.{i:05d}")
    assert content_version() == v0 + 1


def test_papers_changed_signal_bumps() -> None:
    from papers.signals import papers_changed

    v0 = content_version()
    papers_changed.send(sender=Paper, paper_ids=[1])
    assert content_version() == v0 + 1


def test_cached_data_recomputes_only_after_a_change() -> None:
    calls: list[int] = []

    def compute() -> list[str]:
        calls.append(1)
        return list(Paper.objects.values_list("arxiv_id", flat=True))

    make_paper(arxiv_id="2501.00001")
    assert cached_data("t", ("a",), compute) == ["2501.00001"]
    assert cached_data("t", ("a",), compute) == ["2501.00001"]
    assert len(calls) == 1
    assert cached_data("t", ("b",), compute) == ["2501.00001"]  # other key parts: own entry
    assert len(calls) == 2
    make_paper(arxiv_id="2501.00002")
    assert sorted(cached_data("t", ("a",), compute)) == ["2501.00001", "2501.00002"]
    assert len(calls) == 3


def test_cache_timeout_zero_disables_caching(settings) -> None:
    settings.CACHE_TIMEOUT = 0
    calls: list[int] = []
    for _ in range(2):
        cached_data("t", ("z",), lambda: calls.append(1))
    assert len(calls) == 2


_PAGE = engines["django"].from_string(
    '<body hx-headers=\'{"X-CSRFToken": "{{ csrf_token }}"}\'>'
    "<form>{% csrf_token %}</form>{{ n }} papers</body>"
)


@cache_anonymous_page
def _feed(request):
    return HttpResponse(_PAGE.render({"n": Paper.objects.count()}, request))


def _get(user=None, cookies: dict[str, str] | None = None) -> HttpResponse:
    request = RequestFactory().get("/papers?page=1")
    request.COOKIES.update(cookies or {})
    request.user = user or AnonymousUser()
    middleware = CsrfViewMiddleware(_feed)
    middleware.process_request(request)
    return middleware.process_response(request, _feed(request)), request


def _tokens(response: HttpResponse) -> list[str]:
    import re

    return re.findall(r"[A-Za-z0-9]{64}", response.content.decode())


def test_anonymous_page_is_cached_with_fresh_csrf_tokens() -> None:
    make_paper()
    first, _ = _get()
    assert first["X-Cache"] == "miss"
    second, request = _get()
    assert second["X-Cache"] == "hit"
    assert b"1 papers" in second.content
    tokens = _tokens(second)
    assert len(tokens) == 2
    # Each token belongs to *this* visitor's CSRF secret, not the first visitor's.
    secret = request.META["CSRF_COOKIE"]
    assert all(_unmask_cipher_token(t) == secret for t in tokens)
    assert set(tokens).isdisjoint(_tokens(first))
    assert second.cookies[settings_csrf_cookie()].value == secret


def settings_csrf_cookie() -> str:
    from django.conf import settings

    return settings.CSRF_COOKIE_NAME


def test_cached_page_is_invalidated_by_a_write() -> None:
    make_paper()
    _get()
    assert _get()[0]["X-Cache"] == "hit"
    make_paper()
    fresh, _ = _get()
    assert fresh["X-Cache"] == "miss"
    assert b"2 papers" in fresh.content


def test_signed_in_users_and_sessions_are_never_cached() -> None:
    _get()
    user = make_user()
    response, _ = _get(user=user)
    assert "X-Cache" not in response
    response, _ = _get(cookies={"sessionid": "abc"})
    assert "X-Cache" not in response


def test_cache_outage_degrades_to_rendering(settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    make_paper()
    response, _ = _get()
    assert response.status_code == 200
    assert b"1 papers" in response.content
    assert cached_data("t", ("x",), lambda: 42) == 42


def test_bump_creates_the_counter_when_missing() -> None:
    from dailypapers.models import ContentVersion

    ContentVersion.objects.all().delete()
    bump_content_version()
    assert ContentVersion.objects.count() == 1


def test_feed_page_and_api_are_cached_and_invalidated_by_a_vote(client) -> None:
    from community import services
    from tests.factories import make_daily_paper

    entry = make_daily_paper("2025-03-12", title="Cached paper", upvotes=3, imported_upvotes=3)
    first = client.get("/papers/date/2025-03-12")
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    assert client.get("/papers/date/2025-03-12")["X-Cache"] == "hit"
    api_before = client.get("/api/daily_papers?date=2025-03-12").json()
    assert api_before[0]["paper"]["upvotes"] == 3

    services.set_vote(make_user(), entry.paper.pk, True)

    fresh = client.get("/papers/date/2025-03-12")
    assert fresh["X-Cache"] == "miss"
    assert client.get("/api/daily_papers?date=2025-03-12").json()[0]["paper"]["upvotes"] == 4

    client.force_login(make_user("reader"))
    assert "X-Cache" not in client.get("/papers/date/2025-03-12")


def test_paper_page_is_cached_for_anonymous_and_shows_a_new_comment(client) -> None:
    from community import services
    from tests.factories import make_daily_paper

    paper = make_daily_paper("2025-03-12", title="Discussed paper").paper
    url = f"/papers/{paper.arxiv_id}"
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"

    services.add_comment(make_user("commenter"), paper, "A fresh remark")

    fresh = client.get(url)
    assert fresh["X-Cache"] == "miss"
    assert "A fresh remark" in fresh.content.decode()
