"""arXiv's new announcements in the followed categories, harvested with OAI-PMH.

Per OAI set (an arXiv archive: ``cs``, ``math``, ``physics:hep-th`` ...) the cursor keeps
``from`` (the day of the server's ``responseDate`` when the last complete harvest began:
arXiv's documented way to harvest incrementally), the resumption token of the next page
while a harvest is under way, and that harvest's own start day. Each page is committed
with the cursor that follows it, so an interruption resumes at the next page; an expired
token restarts the set from ``from``, which only re-reads (upserts are idempotent).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from papers.importers.arxiv import Feed, NotArxivXml, ResumptionTokenExpired, parse_arxiv_xml
from papers.importers.records import PaperRecord, Rejected
from papers.services import mark_withdrawn
from sources.http import PoliteClient, UpstreamError
from sources.run import Run
from sources.services import add_listings

# Archives that are OAI sets of their own; every other archive is under "physics:".
_TOP_LEVEL = {"cs", "math", "nlin", "q-bio", "q-fin", "stat", "eess", "econ"}


def oai_set(category: str) -> str:
    """The OAI-PMH set of ``category``: ``cs.CL`` → ``cs``, ``hep-th`` → ``physics:hep-th``."""
    archive = category.split(".")[0]
    return archive if archive in _TOP_LEVEL else f"physics:{archive}"


def client(run: Run) -> PoliteClient:
    return PoliteClient.for_source("arXiv OAI-PMH", settings.ARXIV_REQUEST_DELAY, on_retry=run.say)


def follow(run: Run) -> None:
    """Harvest every set of the followed categories from where each stopped."""
    categories = set(settings.FOLLOW_ARXIV_CATEGORIES)
    http = client(run)
    for set_spec in sorted({oai_set(c) for c in categories}):
        _harvest_set(run, http, set_spec, categories)


def _first_from() -> str:
    start = timezone.now().date() - dt.timedelta(days=settings.FOLLOW_ARXIV_BACKFILL_DAYS)
    return start.isoformat()


def _harvest_set(run: Run, http: PoliteClient, set_spec: str, categories: set[str]) -> None:
    sets = run.cursor.get("sets", {})
    state = dict(sets.get(set_spec) or {"from": _first_from()})
    restarted = False
    while True:
        try:
            feed = _fetch(http, set_spec, state)
        except ResumptionTokenExpired:
            if restarted:
                raise UpstreamError(
                    f"arXiv refused a fresh resumption token for {set_spec}"
                ) from None
            run.say(f"arXiv: resumption token expired; {set_spec} starts again at {state['from']}")
            state = {"from": state["from"]}
            restarted = True
            continue
        state = _store_page(run, set_spec, state, feed, categories)
        if not state.get("token"):
            return


def _fetch(http: PoliteClient, set_spec: str, state: dict[str, Any]) -> Feed:
    """The next page; a page whose token is the one sent (the same page again) is asked
    for once more before the run gives up."""
    params: dict[str, Any] = {"verb": "ListRecords"}
    if state.get("token"):
        params["resumptionToken"] = state["token"]
    else:
        params |= {"metadataPrefix": "arXivRaw", "set": set_spec, "from": state["from"]}
    for _ in range(2):
        feed = _parse(http.get(settings.ARXIV_OAI_URL, params).content)
        if not state.get("token") or feed.resumption_token != state["token"]:
            return feed
        http.on_retry(f"arXiv: the same page came back for {set_spec}; asking again")
    raise UpstreamError(f"arXiv keeps returning the same page of {set_spec}")


def _parse(body: bytes) -> Feed:
    try:
        return parse_arxiv_xml(body, "arXiv OAI-PMH")
    except ResumptionTokenExpired:
        raise
    except NotArxivXml as error:  # a truncated or garbled page: nothing of it is stored
        raise UpstreamError(f"arXiv OAI-PMH gave an unusable page: {error}") from None


def _store_page(
    run: Run, set_spec: str, state: dict[str, Any], feed: Feed, categories: set[str]
) -> dict[str, Any]:
    started = state.get("started") or (feed.response_date[:10] or timezone.now().date().isoformat())
    if feed.resumption_token:
        new_state = {"from": state["from"], "token": feed.resumption_token, "started": started}
    else:
        new_state = {"from": started}  # complete: the next harvest starts where this one began
    run.set_total(feed.total)
    items = [item for item in feed.items if _followed(item, categories)]
    listings = [_listing(r, feed, categories) for r in items if isinstance(r, PaperRecord)]
    sets = {**run.cursor.get("sets", {}), set_spec: new_state}

    def also() -> None:
        add_listings(listing for listing in listings if listing is not None)
        mark_withdrawn(feed.deleted)

    run.commit(items, {**run.cursor, "sets": sets}, also=also)
    return new_state


def _followed(item: PaperRecord | Rejected, categories: set[str]) -> bool:
    """Records in a followed category, and rejects worth reporting (deleted records are
    not: they are flagged as withdrawn)."""
    if isinstance(item, Rejected):
        return item.field != "header"
    return bool(set(item.categories or []) & categories)


def _listing(
    record: PaperRecord, feed: Feed, categories: set[str]
) -> tuple[str, dt.date, str, list[str]] | None:
    """A first announcement (version 1) in a followed category: new, or cross-listed here."""
    stamp = feed.datestamps.get(record.arxiv_id, "")
    if (record.version or 1) != 1 or not stamp:
        return None
    try:
        date = dt.date.fromisoformat(stamp[:10])
    except ValueError:
        return None
    kind = "new" if record.primary_category in categories else "cross"
    return record.arxiv_id, date, kind, sorted(set(record.categories or []) & categories)
