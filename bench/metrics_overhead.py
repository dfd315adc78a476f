"""Per-request cost of the request metrics (``MetricsMiddleware``), in process.

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/metrics_overhead.py [--seconds 3]

Calls the middleware found in ``settings.MIDDLEWARE`` around a view that returns at once, for
requests resolved to a few real routes and statuses, with ``METRICS_ENABLED`` on and off, in
alternating rounds; the difference per request is the metrics' cost. No server, no database:
what is measured is the middleware alone (over a throw-away data dir, so its metric files
are fresh). It finds the middleware by name, so the same script measures any version.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROUTES = (
    ("/papers", 200),
    ("/healthz", 200),
    ("/", 302),
    ("/api/daily_papers", 200),
    ("/papers/search", 200),
)


def setup() -> None:
    os.environ["DAILYPAPERS_DATA_DIR"] = tempfile.mkdtemp(prefix="dailypapers-bench-metrics-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def middleware():
    """The project's MetricsMiddleware around a view that answers at once."""
    from django.conf import settings
    from django.http import HttpResponse
    from django.utils.module_loading import import_string

    path = next(p for p in settings.MIDDLEWARE if p.endswith("MetricsMiddleware"))
    responses = {status: HttpResponse(status=status) for _, status in ROUTES}
    return path, import_string(path)(lambda request: responses[request.expected_status])


def requests() -> list:
    from django.test import RequestFactory
    from django.urls import resolve

    factory = RequestFactory()
    made = []
    for url, status in ROUTES:
        request = factory.get(url)
        request.resolver_match = resolve(url)
        request.expected_status = status
        made.append(request)
    return made


def round_us(handler, batch: list, seconds: float) -> float:
    """Mean microseconds per call over ``seconds``."""
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for request in batch:
            handler(request)
        calls += len(batch)
    return elapsed / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0, help="per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup()
    from django.conf import settings

    settings.METRICS_ENABLED = True  # as at a server's start: the metrics directory is made
    path, handler = middleware()
    batch = requests()
    on, off = [], []
    for _ in range(args.rounds):
        for enabled, results in ((True, on), (False, off)):
            settings.METRICS_ENABLED = enabled
            results.append(round_us(handler, batch, args.seconds))
    cost = [a - b for a, b in zip(on, off, strict=True)]
    print(
        f"{path}: metrics on {statistics.median(on):.2f} us/request, off "
        f"{statistics.median(off):.2f}; cost {statistics.median(cost):.2f} us "
        f"(rounds: {', '.join(f'{c:.2f}' for c in cost)}); load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
