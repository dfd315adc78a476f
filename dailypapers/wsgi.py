"""WSGI entry point (gunicorn dailypapers.wsgi)."""

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


_warm_up()
