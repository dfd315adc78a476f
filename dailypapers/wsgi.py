"""WSGI entry point (gunicorn dailypapers.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import the URLconf (the API's schemas with it) and compile the busiest templates now.

    With gunicorn's ``preload_app`` this runs once in the master, so every worker, including
    one recycled under load, is forked with them ready; otherwise its first requests paid
    ~120 ms for the imports and ~40 ms per template (bench/load_test.py "cold" lines).
    Nothing here opens a database connection, an index or a model.
    """
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point
    for name in ("papers/feed.html", "papers/paper.html", "base.html"):
        get_template(name)


def _tune_gc() -> None:
    """Keep CPython's cyclic garbage collector off the request path.

    Requests allocate thousands of objects and leave some reference cycles behind (Django's
    own; on pages loaded with ``prefetch_related``, each paper and its authorships). Under
    the default thresholds (700, 10, 10) a request started several young collections, each
    walking the request objects still alive, and now and then a full collection walked every
    object imported at startup too: 300+ ms, the 58k benchmark's hybrid p99 of 94 ms.
    ``gc.freeze()`` moves the startup objects out of all collections; with ``preload_app``
    it also keeps the forked workers' copies of them shared. A first threshold of 10,000 lets
    most requests finish before a collection starts, and each one then finds mostly garbage.
    """
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


_warm_up()
_tune_gc()
