"""Registered last: any other path under /api/ is a JSON 404, not Django's HTML page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from api.errors import error_response

router = Router()

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@router.api_operation(_METHODS, "/{path:rest}", include_in_schema=False)
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    return error_response(f"There is no API endpoint at /api/{rest}; see /api/docs.", 404)
