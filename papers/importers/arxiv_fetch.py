"""Live look-ups and harvests from the arXiv API, politely.

arXiv asks API clients for one request every 3 seconds and a single connection; we wait at
least ``ARXIV_REQUEST_DELAY`` between requests, retry 5xx answers, 429 and timeouts with
exponential back-off, and page through results. A harvest records how far it got in an
``ImportCheckpoint`` so that a re-run after an interruption continues there.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings

from papers.importers.arxiv import NotArxivXml, parse_arxiv_xml
from papers.importers.records import PaperRecord, Rejected

USER_AGENT = "dailypapers/0.1 (self-hosted Daily Papers; +https://github.com/)"


class ArxivUnavailable(Exception):
    """arXiv could not be reached or gave no usable answer (after retries)."""


@dataclass
class ArxivClient:
    """One polite arXiv API connection: spacing between requests, retries, back-off."""

    base_url: str
    delay: float = 3.0
    retries: int = 4
    backoff: float = 5.0
    timeout: float = 30.0
    on_retry: Callable[[str], None] = lambda message: None
    _last_request: float = field(default=float("-inf"), repr=False)

    @classmethod
    def from_settings(cls, **overrides: Any) -> ArxivClient:
        """A client configured from ``ARXIV_*`` settings, with optional overrides."""
        values: dict[str, Any] = {
            "base_url": settings.ARXIV_API_URL,
            "delay": settings.ARXIV_REQUEST_DELAY,
            "timeout": settings.ARXIV_TIMEOUT,
        }
        return cls(**(values | overrides))

    def get(self, params: dict[str, Any]) -> bytes:
        """The body of a successful answer to ``params``; ``ArxivUnavailable`` otherwise."""
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                pause = self.backoff * 2 ** (attempt - 1)
                self.on_retry(f"arXiv: {problem}; retry {attempt}/{self.retries} in {pause:g} s")
                time.sleep(pause)
            body, problem = self._attempt(params)
            if body is not None:
                return body
        raise ArxivUnavailable(f"arXiv API unavailable after {self.retries + 1} tries: {problem}")

    def _attempt(self, params: dict[str, Any]) -> tuple[bytes | None, str]:
        self._wait_politely()
        try:
            response = requests.get(
                self.base_url,
                params=params,
                timeout=self.timeout,
                headers={"User-Agent": USER_AGENT},
            )
        except (requests.Timeout, requests.ConnectionError) as error:
            return None, f"{type(error).__name__}: {error}"
        finally:
            self._last_request = time.monotonic()
        if response.status_code == 200:
            return response.content, ""
        if response.status_code >= 500 or response.status_code == 429:
            return None, f"HTTP {response.status_code}"
        raise ArxivUnavailable(f"arXiv API refused the request: HTTP {response.status_code}")

    def _wait_politely(self) -> None:
        remaining = self._last_request + self.delay - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)


def fetch_arxiv_ids(ids: list[str], client: ArxivClient | None = None) -> list[PaperRecord]:
    """The arXiv metadata of ``ids`` (unknown ids are left out).

    Raises ``ArxivUnavailable`` when arXiv cannot be reached or answers nonsense.
    """
    if not ids:
        return []
    client = client or ArxivClient.from_settings(retries=2, backoff=1.0)
    body = client.get({"id_list": ",".join(ids), "max_results": len(ids)})
    try:
        feed = parse_arxiv_xml(body, "arXiv API")
    except NotArxivXml as error:
        raise ArxivUnavailable(f"arXiv API gave an unusable answer: {error}") from None
    return [item for item in feed.items if isinstance(item, PaperRecord)]


def search_query(categories: list[str], date_from: dt.date, date_to: dt.date) -> str:
    """The API query for papers in any of ``categories`` submitted within the dates."""
    cats = " OR ".join(f"cat:{category}" for category in categories)
    span = f"[{date_from:%Y%m%d}0000 TO {date_to:%Y%m%d}2359]"
    return f"({cats}) AND submittedDate:{span}"


@dataclass
class Page:
    start: int
    total: int
    items: list[PaperRecord | Rejected]

    @property
    def next_start(self) -> int:
        return self.start + len(self.items)


def fetch_pages(
    client: ArxivClient, query: str, start: int = 0, page_size: int = 200
) -> Iterator[Page]:
    """Pages of results from ``start`` on, oldest submissions first."""
    total: int | None = None
    while total is None or start < total:
        page = _fetch_page(client, query, start, page_size)
        total = page.total
        if not page.items:
            return
        yield page
        start = page.next_start


def _fetch_page(client: ArxivClient, query: str, start: int, page_size: int) -> Page:
    params = {
        "search_query": query,
        "start": start,
        "max_results": page_size,
        "sortBy": "submittedDate",
        "sortOrder": "ascending",
    }
    # The API sometimes answers a page inside the result set with no entries; ask again.
    for _ in range(client.retries + 1):
        try:
            feed = parse_arxiv_xml(client.get(params), f"arXiv API start={start}")
        except NotArxivXml as error:
            raise ArxivUnavailable(f"arXiv API gave an unusable answer: {error}") from None
        total = feed.total if feed.total is not None else start + len(feed.items)
        if feed.items or start >= total:
            return Page(start, total, feed.items)
        client.on_retry(f"arXiv: empty page at {start} of {total}; asking again")
    raise ArxivUnavailable(f"arXiv API keeps returning an empty page at {start} of {total}")
