"""Conditional GET for feed endpoints: a strong ETag over the body, plus Last-Modified.

The ETag is computed from the serialized body, so it changes whenever anything a client
sees changes (votes, comments, edits), whatever the write path. Last-Modified is the
newest timestamp among the rows shown and is only a fallback for clients that do not
send If-None-Match (which takes precedence, per RFC 9110).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date


def json_body(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


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
