"""The HTTP API (django-ninja). OpenAPI docs at /api/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="dailypapers API", version="1.0", urls_namespace="api")
