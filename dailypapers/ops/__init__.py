"""Operations: what an operator or a monitoring system talks to, one job per module.

- ``health.py``: the checks behind ``/healthz`` (database, cache, search index, mail, live
  sources) and the verdict "can this node serve".
- ``access.py``: who is an operator (``METRICS_TOKEN``, or a direct local request) and may
  see the details of ``/healthz`` and ``/metrics``.
- ``metrics.py``: the Prometheus metrics (``prometheus_client`` in multiprocess mode, so a
  scrape covers every gunicorn worker) and their text exposition.
- ``middleware.py``: ``MetricsMiddleware``, which times and counts every request.
- ``logs.py``: ``JsonFormatter``, one JSON object per log line (``LOG_FORMAT=json``).
- ``views.py`` and ``urls.py``: ``GET /healthz`` and ``GET /metrics``.
"""
