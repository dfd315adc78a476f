"""``GET /api/papers/search`` (owned by the Search issue)."""

from ninja import Router

router = Router(tags=["search"])
