"""The HTTP API (django-ninja) at /api/. OpenAPI docs at /api/docs, schema at /api/openapi.json.

Router order matters where paths overlap: search first (so ``/papers/search`` is not read
as an arXiv id), then the fixed community paths, then ``/papers/{arxiv_id}``, and the JSON
404 fallback last.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from api import (
    collections,
    community,
    daily,
    fallback,
    index,
    library,
    papers,
    subscriptions,
    whoami,
)
from api.errors import install_error_handlers, json_method_not_allowed
from api.search import router as search_router


class DailyPapersAPI(NinjaAPI):
    """NinjaAPI whose 405 answers are JSON errors too (ninja's own are plain text)."""

    def _get_urls(self) -> list[Any]:
        patterns = super()._get_urls()
        for pattern in patterns:
            callback = json_method_not_allowed(pattern.callback)
            callback.csrf_exempt = getattr(pattern.callback, "csrf_exempt", False)  # type: ignore[attr-defined]
            pattern.callback = callback
        return patterns


api = DailyPapersAPI(
    title="dailypapers API",
    version="1.0",
    urls_namespace="api",
    description="Hugging Face-compatible daily papers API, plus votes, comments, submissions, "
    "collections and subscriptions authenticated with personal API tokens "
    "(`Authorization: Bearer <token>`, created at /settings/tokens).",
)
# Registered before the papers router so /papers/search is not taken for an arXiv id.
api.add_router("", search_router)
api.add_router("", daily.router)
api.add_router("", community.router)
# Before the collections routers (whose slug route would take /collections/<id>/export)
# and the papers router (which would take /papers/<id>/note for an arXiv id).
api.add_router("", library.router)
api.add_router("", collections.legacy_router)
api.add_router("", collections.router)
api.add_router("", subscriptions.router)
api.add_router("", whoami.router)
api.add_router("", index.router)  # POST /papers/index, before /papers/{arxiv_id}
api.add_router("", papers.router)
api.add_router("", fallback.router)
install_error_handlers(api)
