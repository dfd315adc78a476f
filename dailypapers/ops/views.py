"""``GET /healthz`` and ``GET /metrics``."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from dailypapers.ops import metrics as prometheus
from dailypapers.ops.access import is_operator
from dailypapers.ops.health import health


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when this node can serve requests, 503 when it cannot.

    Everyone gets the status; the checks (database vendor, cache backend, index sizes, mail
    host) only operators (``is_operator``).
    """
    healthy, body = health()
    if not is_operator(request):
        body = {"status": body["status"]}
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for operators; 404 unless ``METRICS_ENABLED``."""
    if not settings.METRICS_ENABLED:
        return HttpResponse("metrics are disabled (METRICS_ENABLED=false)\n", status=404)
    if not is_operator(request):
        return HttpResponse(
            "metrics need 'Authorization: Bearer <METRICS_TOKEN>' (or, without a token, a "
            "direct request from this machine)\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    body, content_type = prometheus.render(request.headers.get("Accept", ""))
    return HttpResponse(body, content_type=content_type)
