"""Hugging Face Daily Papers: ``/api/daily_papers?date=D`` for every day since the last
successful run (a first run goes back ``FOLLOW_HF_BACKFILL_DAYS``), plus the last
``FOLLOW_HF_REREAD_DAYS`` again to refresh upvotes, comments, links, stars and summaries.

Items go through the HF importer's parser and the papers write service, so imported
counts stay separate from local votes exactly as with ``import_hf``. Each day is
committed with the cursor ``last_day``; a failure resumes at the first unfinished day.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.utils import timezone

from papers.importers.hf import parse_hf_item
from papers.importers.records import PaperRecord, Rejected
from papers.importers.sources import guarded
from sources.http import PoliteClient, UpstreamError
from sources.run import Run

PAGE_SIZE = 100


def days_to_read(cursor: dict[str, Any], today: dt.date) -> list[dt.date]:
    last = cursor.get("last_day")
    if last:
        start = dt.date.fromisoformat(last) - dt.timedelta(days=settings.FOLLOW_HF_REREAD_DAYS)
    else:
        start = today - dt.timedelta(days=settings.FOLLOW_HF_BACKFILL_DAYS)
    return [start + dt.timedelta(days=n) for n in range((today - start).days + 1)]


def follow(run: Run) -> None:
    http = PoliteClient.for_source(
        "Hugging Face",
        settings.FOLLOW_REQUEST_DELAY,
        timeout=settings.FOLLOW_HTTP_TIMEOUT,
        on_retry=run.say,
    )
    days = days_to_read(run.cursor, timezone.now().date())
    run.set_total(None)
    for day in days:
        items = _day_items(http, day)
        last = max(filter(None, [run.cursor.get("last_day"), day.isoformat()]))
        run.commit(items, {**run.cursor, "last_day": last})


def _day_items(http: PoliteClient, day: dt.date) -> list[PaperRecord | Rejected]:
    """Every item listed on ``day`` (pages of ``PAGE_SIZE``), parsed."""
    items: list[PaperRecord | Rejected] = []
    for page in range(100):
        params = {"date": day.isoformat(), "limit": PAGE_SIZE, "p": page}
        data = _json(http.get(f"{settings.HF_API_URL}/api/daily_papers", params).content, day)
        for index, raw in enumerate(data):
            origin = f"hf {day} item {PAGE_SIZE * page + index}"
            items.append(guarded(lambda r=raw, o=origin: parse_hf_item(r, o, day), origin))
        if len(data) < PAGE_SIZE:
            break
    return items


def _json(body: bytes, day: dt.date) -> list[Any]:
    try:
        data = json.loads(body)
    except ValueError as error:
        raise UpstreamError(f"Hugging Face sent malformed JSON for {day}: {error}") from None
    if not isinstance(data, list):
        raise UpstreamError(f"Hugging Face sent a {type(data).__name__}, not a list, for {day}")
    return data
