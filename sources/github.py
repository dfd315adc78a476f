"""GitHub stars of repositories linked from recent papers (feed date within
``FOLLOW_GITHUB_RECENT_DAYS``), least recently checked first.

Requests are conditional (``If-None-Match`` with the stored ETag): an unchanged repository
answers 304 and costs nothing. A run makes at most ``FOLLOW_GITHUB_MAX_REQUESTS`` requests
(automatic: 50 without a token, under GitHub's 60 an hour for anonymous clients; 1000 with
``GITHUB_TOKEN``) and stops early when GitHub says the hourly budget is spent.
"""

from __future__ import annotations

import datetime as dt
import re

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from papers.models import DailyEntry
from papers.services import set_github_stars
from sources.http import PoliteClient
from sources.models import GithubRepo
from sources.run import Run
from sources.services import save_github_answer

_REPO = re.compile(r"^https?://(?:www\.)?github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$", re.I)


def request_budget() -> int:
    configured = settings.FOLLOW_GITHUB_MAX_REQUESTS
    return configured or (1000 if settings.GITHUB_TOKEN else 50)


def repos_to_check(limit: int) -> list[str]:
    """Repository URLs of papers on the feed lately, least recently checked first."""
    since = timezone.now().date() - dt.timedelta(days=settings.FOLLOW_GITHUB_RECENT_DAYS)
    urls = set(
        DailyEntry.objects.filter(date__gte=since)
        .exclude(paper__github_repo="")
        .values_list("paper__github_repo", flat=True)
    )
    urls = {url for url in urls if _REPO.match(url)}
    checked = dict(
        GithubRepo.objects.filter(url__in=urls)
        .order_by(F("checked_at").asc(nulls_first=True))
        .values_list("url", "checked_at")
    )
    never = sorted(urls - set(checked))
    return (never + [url for url in checked])[:limit]


def follow(run: Run) -> None:
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if settings.GITHUB_TOKEN:
        headers["Authorization"] = f"Bearer {settings.GITHUB_TOKEN}"
    http = PoliteClient.for_source(
        "GitHub",
        settings.FOLLOW_REQUEST_DELAY,
        timeout=settings.FOLLOW_HTTP_TIMEOUT,
        headers=headers,
        on_retry=run.say,
    )
    urls = repos_to_check(request_budget())
    run.set_total(len(urls))
    etags = dict(GithubRepo.objects.filter(url__in=urls).values_list("url", "etag"))
    for url in urls:
        if not _check(run, http, url, etags.get(url, "")):
            run.say("GitHub: the hourly request budget is spent; the rest waits for the next run")
            return


def _check(run: Run, http: PoliteClient, url: str, etag: str) -> bool:
    """Refresh one repository; False when GitHub's rate limit is reached."""
    owner, name = _REPO.match(url).groups()  # type: ignore[union-attr]
    conditional = {"If-None-Match": etag} if etag else {}
    response = http.get(
        f"{settings.GITHUB_API_URL}/repos/{owner}/{name}",
        headers=conditional,
        accept=(200, 304, 403, 404),
    )
    if response.status_code == 403:
        if response.headers.get("X-RateLimit-Remaining") == "0":
            return False
        run.say(f"GitHub refused {url} (HTTP 403)")
        return True
    stars = None
    if response.status_code == 200:
        stars = _stars(response)
    new_etag = response.headers.get("ETag") if response.status_code == 200 else None

    def also() -> None:
        save_github_answer(url, new_etag, stars)
        if stars is not None:
            run.stats.updated += set_github_stars({url: stars})

    run.commit([], run.cursor, also=also, done=1)
    return True


def _stars(response: requests.Response) -> int | None:
    try:
        value = response.json().get("stargazers_count")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
