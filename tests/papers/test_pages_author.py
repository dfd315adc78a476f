"""Author pages: an author's papers, newest first, paginated."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def _at(day: int) -> dt.datetime:
    return dt.datetime(2025, 3, day, tzinfo=dt.UTC)


def test_author_page_lists_their_papers_newest_first(client):
    make_paper(title="Old work", authors=("Ada Lovelace",), published_at=_at(1))
    make_paper(title="New work", authors=("Alan Turing", "Ada Lovelace"), published_at=_at(20))
    make_paper(title="Someone else's", authors=("Alan Turing",), published_at=_at(10))
    response = client.get("/authors/ada-lovelace")
    assert response.status_code == 200
    assert [p.title for p in response.context["papers"]] == ["New work", "Old work"]
    assert b"<h1>Ada Lovelace</h1>" in response.content
    assert b"2 papers" in response.content


def test_unicode_author_slug(client):
    make_paper(title="Über alles", authors=("Jürgen Schmidhuber",))
    response = client.get("/authors/jürgen-schmidhuber")
    assert response.status_code == 200
    assert "Über alles" in response.content.decode()


def test_author_page_is_paginated(client):
    from papers import views

    for day in range(1, 5):
        make_paper(title=f"Paper {day}", authors=("Ada Lovelace",), published_at=_at(day))
    original = views.LIST_PAGE_SIZE
    views.LIST_PAGE_SIZE = 3
    try:
        page2 = client.get("/authors/ada-lovelace?page=2")
        beyond = client.get("/authors/ada-lovelace?page=3")
    finally:
        views.LIST_PAGE_SIZE = original
    assert [p.title for p in page2.context["papers"]] == ["Paper 1"]
    assert beyond.status_code == 404


def test_unknown_author_is_a_friendly_404(client):
    response = client.get("/authors/nobody-at-all")
    assert response.status_code == 404
    assert b"We have no author with that name." in response.content
