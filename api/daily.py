"""``GET /api/daily_papers``: Hugging Face's daily feed endpoint, same parameters and shape."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.errors import HttpError

from api.caching import conditional_json
from api.feed import MAX_LIMIT, MAX_PAGE, FeedQuery, InvalidQuery, Sort, feed_cache_tags, feed_items
from api.schemas import DailyItem, Error
from dailypapers.cache import cached_data

router = Router(tags=["daily papers"])

DESCRIPTION = """
Papers on the daily feed, in Hugging Face's `/api/daily_papers` shape.

Give at most one of `date`, `week` or `month`; with none, the latest day that has papers
(like Hugging Face). Within a day papers come most upvoted first; within a week or month
most upvoted first across the period.

`sort=publishedAt` lists newest first instead. `sort=trending` ranks by the trending score
(upvotes and comments decayed by age, see /about/trending) over the past week when no
period is given; for an explicit period it is the upvote order, because within a closed
period the trending score orders papers like their upvotes do.

Unknown parameters are ignored. Responses carry `ETag` and `Last-Modified`; send
`If-None-Match` / `If-Modified-Since` to get `304 Not Modified` when nothing changed.
"""


@router.get(
    "/daily_papers",
    response={200: list[DailyItem], 304: None, 400: Error},
    summary="Daily papers (Hugging Face compatible)",
    description=DESCRIPTION,
)
def daily_papers(
    request: HttpRequest,
    date: str | None = Query(None, description="A day, YYYY-MM-DD", examples=["2025-02-10"]),
    week: str | None = Query(None, description="An ISO week, YYYY-Www", examples=["2025-W07"]),
    month: str | None = Query(None, description="A month, YYYY-MM", examples=["2025-02"]),
    submitter: str | None = Query(None, description="Only papers submitted by this username"),
    sort: Sort | None = None,
    p: int = Query(0, ge=0, le=MAX_PAGE, description="Page number, from 0"),
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="Items per page"),
) -> HttpResponse:
    query = FeedQuery(date, week, month, submitter, sort, p, limit)
    try:
        # Same data for every caller: cached until the papers of its days change.
        tags = feed_cache_tags(query)
        items, last_modified = cached_data(
            "api:daily_papers", (query,), tags, lambda: feed_items(query)
        )
    except InvalidQuery as exc:
        raise HttpError(400, str(exc)) from None
    return conditional_json(request, items, last_modified)
