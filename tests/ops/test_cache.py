"""The page and data cache: entries name their dependencies, writers say what they changed,
anonymous pages carry no per-visitor token."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.template import engines
from django.test import RequestFactory

from dailypapers.cache import (
    CATALOG,
    cache_anonymous_page,
    cached_data,
    invalidate,
    versions,
)
from papers.models import Paper
from tests.factories import make_daily_paper, make_paper, make_user

pytestmark = pytest.mark.django_db


def test_invalidate_changes_only_the_named_tags() -> None:
    before = dict(versions(["paper:a", "paper:b"]))
    invalidate("paper:a")
    after = dict(versions(["paper:a", "paper:b"]))
    assert after["paper:a"] != before["paper:a"]
    assert after["paper:b"] == before["paper:b"]
    assert after[CATALOG] == before[CATALOG]


def test_long_tags_fit_the_version_table() -> None:
    tag = "author:" + "x" * 300
    before = versions([tag])
    invalidate(tag)
    assert versions([tag]) != before


def test_paper_and_entry_writes_invalidate_the_catalog() -> None:
    v0 = versions([])
    paper = make_paper()
    v1 = versions([])
    assert v1 != v0
    paper.title = "Renamed"
    paper.save()
    assert versions([]) != v1


def test_unrelated_writes_do_not_invalidate() -> None:
    v0 = versions([])
    make_user()
    assert versions([]) == v0


def test_papers_changed_signal_invalidates_the_catalog() -> None:
    from papers.signals import papers_changed

    v0 = versions([])
    papers_changed.send(sender=Paper, paper_ids=[1])
    assert versions([]) != v0


def test_cached_data_recomputes_only_after_its_tags_change() -> None:
    calls: list[int] = []

    def compute() -> list[str]:
        calls.append(1)
        return list(Paper.objects.values_list("arxiv_id", flat=True))

    make_paper(arxiv_id="2501.00001")
    assert cached_data("t", ("a",), ["feed:x"], compute) == ["2501.00001"]
    assert cached_data("t", ("a",), ["feed:x"], compute) == ["2501.00001"]
    assert len(calls) == 1
    assert cached_data("t", ("b",), ["feed:x"], compute) == ["2501.00001"]  # own entry
    assert len(calls) == 2
    invalidate("feed:y")  # another dependency
    cached_data("t", ("a",), ["feed:x"], compute)
    assert len(calls) == 2
    invalidate("feed:x")
    cached_data("t", ("a",), ["feed:x"], compute)
    assert len(calls) == 3
    make_paper(arxiv_id="2501.00002")  # the catalog
    assert sorted(cached_data("t", ("a",), ["feed:x"], compute)) == ["2501.00001", "2501.00002"]
    assert len(calls) == 4


def test_cache_timeout_zero_disables_caching(settings) -> None:
    settings.CACHE_TIMEOUT = 0
    calls: list[int] = []
    for _ in range(2):
        cached_data("t", ("z",), [], lambda: calls.append(1))
    assert len(calls) == 2


_PAGE = engines["django"].from_string("<body>{{ n }} papers</body>")
_FORM = engines["django"].from_string("<form>{% csrf_token %}</form>")


@cache_anonymous_page(lambda request: ["feed:t"])
def _feed(request):
    return HttpResponse(_PAGE.render({"n": Paper.objects.count()}, request))


@cache_anonymous_page(lambda request: [])
def _form(request):
    return HttpResponse(_FORM.render({}, request))


def _get(view=_feed, user=None, cookies: dict[str, str] | None = None):
    request = RequestFactory().get("/papers?page=1")
    request.COOKIES.update(cookies or {})
    request.user = user or AnonymousUser()
    middleware = CsrfViewMiddleware(view)
    middleware.process_request(request)
    return middleware.process_response(request, view(request))


def test_anonymous_pages_are_the_same_bytes_and_every_visitor_gets_a_csrf_cookie(settings):
    make_paper()
    first = _get()
    assert first["X-Cache"] == "miss"
    second = _get()
    assert second["X-Cache"] == "hit"
    assert second.content == first.content and b"1 papers" in second.content
    # htmx reads the token from this cookie (site.js); the page itself holds none.
    assert settings.CSRF_COOKIE_NAME in second.cookies
    assert second.cookies[settings.CSRF_COOKIE_NAME].value not in second.content.decode()


def test_a_page_with_a_csrf_form_is_never_cached() -> None:
    assert "X-Cache" not in _get(_form)
    assert "X-Cache" not in _get(_form)


def test_cached_page_is_invalidated_by_its_tags() -> None:
    make_paper()
    _get()
    assert _get()["X-Cache"] == "hit"
    invalidate("feed:t")
    assert _get()["X-Cache"] == "miss"
    make_paper()
    fresh = _get()
    assert fresh["X-Cache"] == "miss"
    assert b"2 papers" in fresh.content


def test_signed_in_users_and_sessions_are_never_cached() -> None:
    _get()
    assert "X-Cache" not in _get(user=make_user())
    assert "X-Cache" not in _get(cookies={"sessionid": "abc"})


def test_cache_outage_degrades_to_rendering(settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    make_paper()
    response = _get()
    assert response.status_code == 200
    assert b"1 papers" in response.content
    assert cached_data("t", ("x",), [], lambda: 42) == 42


def test_a_new_database_never_matches_old_entries() -> None:
    from dailypapers.models import ContentVersion

    before = versions([])
    ContentVersion.objects.all().delete()  # a restore or a fresh database
    assert versions([]) != before


def test_feed_page_and_api_are_cached_and_invalidated_by_a_vote(client) -> None:
    from community import services

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


def test_an_upvote_only_invalidates_what_shows_that_paper(client) -> None:
    from community import services

    voted = make_daily_paper("2025-03-12", title="Voted paper", authors=("Ada Lovelace",))
    other = make_daily_paper("2025-03-13", title="Other paper", authors=("Alan Turing",))
    pages = {
        "voted day": "/papers/date/2025-03-12",
        "voted week": "/papers/week/2025-W11",
        "voted paper": f"/papers/{voted.paper.arxiv_id}",
        "voted author": "/authors/ada-lovelace",
        "other day": "/papers/date/2025-03-13",
        "latest day": "/papers",  # 2025-03-13
        "other paper": f"/papers/{other.paper.arxiv_id}",
        "other author": "/authors/alan-turing",
    }
    for url in pages.values():
        assert client.get(url)["X-Cache"] == "miss", url
        assert client.get(url)["X-Cache"] == "hit", url

    services.set_vote(make_user(), voted.paper.pk, True)

    state = {name: client.get(url)["X-Cache"] for name, url in pages.items()}
    assert state == {
        "voted day": "miss",
        "voted week": "miss",  # the week of 2025-03-12 lists it too
        "voted paper": "miss",
        "voted author": "miss",
        "other day": "hit",  # 2025-03-13 is in the same week, but its day page is not
        "latest day": "hit",
        "other paper": "hit",
        "other author": "hit",
    }
    assert re.search(r'upvote-count">1<', client.get(pages["voted paper"]).content.decode())

    services.set_vote(make_user("second"), other.paper.pk, True)  # on the latest day
    assert client.get("/papers")["X-Cache"] == "miss"


def test_paper_page_is_cached_for_anonymous_and_shows_a_new_comment(client) -> None:
    from community import services

    paper = make_daily_paper("2025-03-12", title="Discussed paper").paper
    url = f"/papers/{paper.arxiv_id}"
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"

    services.add_comment(make_user("commenter"), paper, "A fresh remark")

    fresh = client.get(url)
    assert fresh["X-Cache"] == "miss"
    assert "A fresh remark" in fresh.content.decode()
