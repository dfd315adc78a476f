"""``MetricsMiddleware``: times every request and counts it (``dailypapers.ops.metrics``)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from dailypapers.ops import metrics


class MetricsMiddleware:
    """Counts each request by method, URL route (not raw path) and status, and its latency
    by route; does nothing unless ``METRICS_ENABLED``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        if settings.METRICS_ENABLED:
            metrics.metrics_dir()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.METRICS_ENABLED:
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        # The route pattern keeps label cardinality bounded (not one series per paper id).
        route = (match.route or match.view_name) if match else "unmatched"
        metrics.observe(
            request.method or "", route, response.status_code, time.perf_counter() - started
        )
        return response
