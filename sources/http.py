"""The one HTTP client of the live sources: politeness delay, descriptive User-Agent,
timeouts, retries with back-off, and ``Retry-After`` on 429/503 (capped by a setting)."""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings

USER_AGENT = (
    "dailypapers/0.1 (self-hosted Daily Papers; follows arXiv, Hugging Face and GitHub "
    "politely; +https://github.com/dailypapers)"
)


class UpstreamError(Exception):
    """The upstream could not be reached or gave no usable answer (after retries)."""


@dataclass
class PoliteClient:
    """Requests to one upstream, at least ``delay`` seconds apart."""

    name: str
    delay: float
    timeout: float
    retries: int = 4
    backoff: float = 5.0
    max_retry_after: float = 600.0
    headers: dict[str, str] = field(default_factory=dict)
    on_retry: Callable[[str], None] = lambda message: None
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    _last_request: float = field(default=float("-inf"), repr=False)

    @classmethod
    def for_source(cls, name: str, delay: float, **overrides: Any) -> PoliteClient:
        """A client with the ``FOLLOW_HTTP_*`` settings (arXiv's timeout unless overridden)."""
        values: dict[str, Any] = {
            "name": name,
            "delay": delay,
            "timeout": settings.ARXIV_TIMEOUT,
            "retries": settings.FOLLOW_HTTP_RETRIES,
            "backoff": settings.FOLLOW_HTTP_BACKOFF,
            "max_retry_after": settings.FOLLOW_MAX_RETRY_AFTER,
        }
        return cls(**(values | overrides))

    def get(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        accept: tuple[int, ...] = (200,),
    ) -> requests.Response:
        """The response when its status is in ``accept``; ``UpstreamError`` otherwise.

        Timeouts, connection errors, 429 and 5xx are retried; other statuses fail at once.
        """
        problem = ""
        for attempt in range(self.retries + 1):
            response, problem, pause = self._attempt(url, params, headers, attempt)
            if response is not None and response.status_code in accept:
                return response
            if response is not None and not _retryable(response.status_code):
                raise UpstreamError(f"{self.name} refused the request: {problem}")
            if attempt < self.retries:
                pause = min(pause, self.max_retry_after)
                self.on_retry(f"{self.name}: {problem}; retry {attempt + 1} in {pause:g} s")
                time.sleep(pause)
        raise UpstreamError(f"{self.name} unavailable after {self.retries + 1} tries: {problem}")

    def _attempt(
        self, url: str, params: Any, headers: dict[str, str] | None, attempt: int
    ) -> tuple[requests.Response | None, str, float]:
        self._wait_politely()
        backoff = self.backoff * 2**attempt
        try:
            response = self.session.get(
                url,
                params=params,
                timeout=self.timeout,
                headers={"User-Agent": USER_AGENT, **self.headers, **(headers or {})},
            )
        except (requests.Timeout, requests.ConnectionError) as error:
            return None, f"{type(error).__name__}: {error}", backoff
        finally:
            self._last_request = time.monotonic()
        status = response.status_code
        if _retryable(status):
            wait = retry_after(response.headers.get("Retry-After"))
            return response, f"HTTP {status}", backoff if wait is None else wait
        return response, f"HTTP {status}", backoff

    def _wait_politely(self) -> None:
        remaining = self._last_request + self.delay - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (moment - now).total_seconds())
