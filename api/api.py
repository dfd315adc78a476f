"""The HTTP API (django-ninja). OpenAPI docs at /api/docs."""

from ninja import NinjaAPI

from api.search import router as search_router

api = NinjaAPI(title="dailypapers API", version="1.0", urls_namespace="api")
# Registered before the papers router so /papers/search is not taken for an arXiv id.
api.add_router("", search_router)
