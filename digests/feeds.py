"""RSS 2.0 and Atom feeds (django.contrib.syndication): daily feed, trending, search,
organization and collection. All reads go through ``papers.queries`` and the public
interfaces of search and community; links are absolute on SITE_URL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from community.models import Collection
from community.queries import collection_papers, visible_collection
from community.ratelimit import ratelimit
from community.trending import trending_papers
from dailypapers.text import clean_text
from digests.emails import absolute, author_line, excerpt
from papers import queries
from papers.cards import PaperCard, cards_in_order, feed_cards
from papers.models import Organization
from papers.periods import Period
from search.service import SearchQuery, search

FEED_ITEMS = 50
DAILY_FEED_DAYS = 7
MAX_QUERY_LENGTH = 250


def _cleaned(value: object) -> object:
    """``value`` (a string, or a list of them) without characters XML 1.0 cannot carry."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return [_cleaned(item) for item in value]
    return value


class _CleanText:
    """Feed-generator mixin cleaning every text first: the XML writer refuses control
    characters, so one odd title or collection name would otherwise fail the whole feed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        args = tuple(_cleaned(value) for value in args)
        super().__init__(*args, **{key: _cleaned(value) for key, value in kwargs.items()})

    def add_item(self, *args: object, **kwargs: object) -> None:
        args = tuple(_cleaned(value) for value in args)
        super().add_item(*args, **{key: _cleaned(value) for key, value in kwargs.items()})


class CleanRssFeed(_CleanText, Rss201rev2Feed):
    pass


class CleanAtomFeed(_CleanText, Atom1Feed):
    pass


@dataclass
class FeedItem:
    paper: PaperCard
    pubdate: dt.datetime | None
    note: str = ""  # e.g. the trending explanation or the feed date


def _midnight(date: dt.date) -> dt.datetime:
    return dt.datetime.combine(date, dt.time.min, tzinfo=dt.UTC)


class PaperFeed(Feed):
    """Items are ``FeedItem``s; subclasses provide ``items`` and the feed metadata."""

    feed_type = CleanRssFeed

    def item_title(self, item: FeedItem) -> str:
        return " ".join(item.paper.title.split())

    def item_link(self, item: FeedItem) -> str:
        return absolute(item.paper.get_absolute_url())

    def item_guid(self, item: FeedItem) -> str:
        return absolute(item.paper.get_absolute_url())

    def item_description(self, item: FeedItem) -> str:
        paper = item.paper
        context = {
            "paper": paper,
            "authors": author_line(paper),
            "excerpt": excerpt(paper.abstract, 120),
            "url": absolute(paper.get_absolute_url()),
            "note": item.note,
        }
        return render_to_string("digests/feeds/item.html", context)

    def item_author_name(self, item: FeedItem) -> str:
        return author_line(item.paper)

    def item_pubdate(self, item: FeedItem) -> dt.datetime | None:
        return item.pubdate or item.paper.published_at

    def item_updateddate(self, item: FeedItem) -> dt.datetime | None:
        return item.paper.updated_at

    def item_categories(self, item: FeedItem) -> list[str]:
        return [str(c) for c in (item.paper.categories or [])][:10]


def _paper_items(papers: list[PaperCard]) -> list[FeedItem]:
    return [FeedItem(p, p.published_at) for p in papers]


class DailyFeed(PaperFeed):
    """Papers on the daily feed in the last days that have papers, newest day first."""

    description = "Papers picked by the research community, every weekday."

    def title(self) -> str:
        return f"{settings.SITE_NAME}: Daily Papers"

    def link(self) -> str:
        return absolute("/papers")

    def feed_url(self) -> str:
        return absolute("/feeds/daily.xml")

    def items(self) -> list[FeedItem]:
        latest = queries.latest_feed_date()
        if latest is None:
            return []
        span = Period("week", latest - dt.timedelta(days=DAILY_FEED_DAYS - 1), latest)
        entries = feed_cards(queries.daily_entries(span, sort="newest")[: FEED_ITEMS * 2])
        return [
            FeedItem(
                i.paper,
                i.entry.submitted_at or _midnight(i.entry.date),
                f"On the feed of {i.entry.date}",
            )
            for i in entries
        ]


class DailyAtomFeed(DailyFeed):
    feed_type = CleanAtomFeed
    subtitle = DailyFeed.description

    def feed_url(self) -> str:
        return absolute("/feeds/daily.atom")


class TrendingFeed(PaperFeed):
    """The week's trending papers with how each score was computed."""

    description = "Papers trending this week: upvotes and comments, decayed by age."

    def title(self) -> str:
        return f"{settings.SITE_NAME}: Trending papers"

    def link(self) -> str:
        return absolute("/papers/trending")

    def feed_url(self) -> str:
        return absolute("/feeds/trending.xml")

    def items(self) -> list[FeedItem]:
        trending = trending_papers("week", timezone.now(), FEED_ITEMS)
        return [FeedItem(t.paper, None, t.explanation) for t in trending]


class SearchFeed(PaperFeed):
    """The papers matching a query (hybrid search), best match first."""

    def get_object(self, request: HttpRequest, *args, **kwargs) -> str:
        return _query(request)

    def title(self, q: str) -> str:
        return f"{settings.SITE_NAME}: papers matching “{q}”"

    def description(self, q: str) -> str:
        return f"Search results for “{q}”, best match first."

    def link(self, q: str) -> str:
        return absolute(f"/papers/search?{urlencode({'q': q})}")

    def items(self, q: str) -> list[FeedItem]:
        results = search(SearchQuery(q=q, limit=FEED_ITEMS))
        return _paper_items([hit.paper for hit in results.hits])


def _query(request: HttpRequest) -> str:
    return clean_text(request.GET.get("q", "")).strip()


_search_feed = SearchFeed()


@ratelimit("search", by="ip", methods=("GET", "HEAD"))
def search_feed(request: HttpRequest) -> HttpResponse:
    """``/feeds/search.xml?q=…``: a clear 400 instead of an empty feed when q is missing."""
    q = _query(request)
    if not q:
        return HttpResponseBadRequest(
            "Add a search query: /feeds/search.xml?q=your+keywords", content_type="text/plain"
        )
    if len(q) > MAX_QUERY_LENGTH:
        return HttpResponseBadRequest(
            f"The query is too long ({MAX_QUERY_LENGTH} characters at most).",
            content_type="text/plain",
        )
    return _search_feed(request)


class OrganizationFeed(PaperFeed):
    """An organization's papers, newest first."""

    def get_object(self, request: HttpRequest, slug: str) -> Organization:
        organization = queries.organization_by_slug(slug)
        if organization is None:
            raise Http404(f"No organization “{slug}”.")
        return organization

    def title(self, organization: Organization) -> str:
        return f"{settings.SITE_NAME}: papers from {organization.name}"

    def description(self, organization: Organization) -> str:
        return f"New papers from {organization.name}, newest first."

    def link(self, organization: Organization) -> str:
        return absolute(organization.get_absolute_url())

    def items(self, organization: Organization) -> list[FeedItem]:
        ids = list(queries.paper_ids_of_organization(organization)[:FEED_ITEMS])
        return _paper_items(cards_in_order(ids))


class CollectionFeed(PaperFeed):
    """A public collection's papers, most recently added first (private ones are 404)."""

    def get_object(self, request: HttpRequest, pk: int) -> Collection:
        collection = visible_collection(pk, AnonymousUser())  # feeds carry no session
        if collection is None:
            raise Http404("No public collection with this id.")
        return collection

    def title(self, collection: Collection) -> str:
        return f"{settings.SITE_NAME}: {collection.name} (collection by {collection.owner})"

    def description(self, collection: Collection) -> str:
        return f"Papers in the collection “{collection.name}”, most recently added first."

    def link(self, collection: Collection) -> str:
        return absolute(collection.get_absolute_url())

    def items(self, collection: Collection) -> list[FeedItem]:
        return _paper_items(collection_papers(collection)[:FEED_ITEMS])
