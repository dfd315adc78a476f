"""RSS and Atom feeds: valid (feedparser reports no bozo), absolute links, clear errors."""

from __future__ import annotations

import feedparser
import pytest
import time_machine

from search.service import index_papers
from tests.digests.conftest import NOW, SITE, make_feed_papers
from tests.factories import make_org, make_paper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=True):
        yield


def _parse(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return response, feed


def test_daily_rss_and_atom(client):
    papers = make_feed_papers(3)
    papers[0].title = "Ampersands & <angle> brackets “quoted”"
    papers[0].save()
    for path, version in (("/feeds/daily.xml", "rss20"), ("/feeds/daily.atom", "atom10")):
        _, feed = _parse(client, path)
        assert feed.version == version
        assert feed.feed.title.endswith("Daily Papers")
        titles = [entry.title for entry in feed.entries]
        assert "Ampersands & <angle> brackets “quoted”" in titles
        assert len(feed.entries) == 3
        entry = feed.entries[0]
        assert entry.link.startswith(f"{SITE}/papers/")
        assert "Ada Lovelace" in entry.author
        assert "First paragraph" in entry.summary and "arxiv.org/abs/" in entry.summary


def test_empty_daily_feed_is_still_valid(client):
    _, feed = _parse(client, "/feeds/daily.xml")
    assert feed.entries == []


def test_trending_feed_explains_scores(client):
    papers = make_feed_papers(2)
    _, feed = _parse(client, "/feeds/trending.xml")
    assert [entry.title for entry in feed.entries] == [p.title for p in papers]


def test_organization_feed(client):
    org = make_org("acme-ai", "Acme AI")
    make_paper(title="Acme paper", organization=org)
    make_paper(title="Other paper")
    _, feed = _parse(client, "/feeds/organizations/acme-ai.xml")
    assert [entry.title for entry in feed.entries] == ["Acme paper"]
    assert "Acme AI" in feed.feed.title
    assert client.get("/feeds/organizations/nobody.xml").status_code == 404


def test_search_feed(client):
    graph = make_paper(title="Graph neural networks for molecules", abstract="Message passing.")
    other = make_paper(title="Diffusion for images", abstract="Denoising steps.")
    index_papers([graph.pk, other.pk])
    _, feed = _parse(client, "/feeds/search.xml?q=graph+neural")
    assert feed.entries[0].title == "Graph neural networks for molecules"
    assert "graph neural" in feed.feed.title


@pytest.mark.parametrize("query", ["", "?q=", "?q=%20%20", "?q=" + "x" * 300])
def test_search_feed_needs_a_query(client, query):
    response = client.get(f"/feeds/search.xml{query}")
    assert response.status_code == 400
    assert b"/feeds/search.xml?q=" in response.content or b"too long" in response.content


def test_public_collection_feed(client):
    from community.models import Collection, CollectionItem
    from tests.factories import make_user

    owner = make_user("curie")
    public = Collection.objects.create(owner=owner, name="Reading list", is_public=True)
    private = Collection.objects.create(owner=owner, name="Secret", is_public=False)
    paper = make_paper(title="Collected paper")
    CollectionItem.objects.create(collection=public, paper=paper)
    CollectionItem.objects.create(collection=private, paper=paper)
    _, feed = _parse(client, f"/feeds/collections/{public.pk}.xml")
    assert [entry.title for entry in feed.entries] == ["Collected paper"]
    assert "Reading list" in feed.feed.title
    client.force_login(owner)  # even the owner's session does not open a private feed
    assert client.get(f"/feeds/collections/{private.pk}.xml").status_code == 404
    assert client.get("/feeds/collections/999999.xml").status_code == 404
