"""``GET /api/whoami-v2``: who the token belongs to (HF's endpoint of that name)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from api.auth import token_or_session
from api.schemas import Error
from papers.serializers import avatar_url

router = Router(tags=["auth"])


@router.get(
    "/whoami-v2",
    auth=token_or_session,
    response={200: dict[str, Any], 401: Error},
    summary="The account behind the token (or session)",
)
def whoami(request: HttpRequest) -> dict[str, Any]:
    user = request.auth
    return {
        "type": "user",
        "name": user.username,
        "fullname": user.get_full_name() or user.username,
        "email": user.email,
        "avatarUrl": avatar_url(user.username),
        "isMod": bool(user.is_staff),
    }
