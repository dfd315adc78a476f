"""API bodies (orjson) and HF timestamps: the same bytes and strings as the slower stdlib
encoders they replaced."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy

from api.caching import json_body, json_response
from papers.serializers import iso

PAYLOAD = [
    {
        "title": "Zürich “quotes” \\ and \u2028 line separators, emoji 🧪, <script>",
        "upvotes": 12,
        "score": 0.1 + 0.2,
        "big": 2**53 + 1,
        "nested": {"none": None, "flag": True, "list": [1.5, -0.0, 123456.789]},
    }
]


def test_json_body_gives_the_stdlib_compact_utf8_bytes():
    expected = json.dumps(PAYLOAD, ensure_ascii=False, separators=(",", ":")).encode()
    assert json_body(PAYLOAD) == expected
    assert json.loads(json_body(PAYLOAD)) == PAYLOAD
    # Exponents are written without padding (1e-7, the stdlib: 1e-07): the same number.
    assert json.loads(json_body([1e-7, 1e300])) == [1e-7, 1e300]


def test_json_body_encodes_what_django_encodes():
    when = dt.datetime(2025, 3, 1, 12, 30, 5, 123456, tzinfo=dt.UTC)
    data = {1: "int key", "when": when, "price": Decimal("1.50"), "label": gettext_lazy("Home")}
    assert json.loads(json_body(data)) == {
        "1": "int key",
        "when": "2025-03-01T12:30:05.123Z",  # DjangoJSONEncoder's form, not orjson's
        "price": "1.50",
        "label": "Home",
    }


def test_json_response_is_json():
    response = json_response({"a": [1]}, status=201)
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"a": [1]}


def test_iso_is_hf_timestamp_format():
    assert iso(None) is None
    aware = dt.datetime(2025, 3, 1, 9, 5, 7, 987654, tzinfo=dt.UTC)
    assert iso(aware) == "2025-03-01T09:05:07.987Z"  # milliseconds truncated, as HF's
    assert iso(aware.replace(microsecond=0)) == "2025-03-01T09:05:07.000Z"
    paris = aware.astimezone(ZoneInfo("Europe/Paris"))
    assert iso(paris) == "2025-03-01T09:05:07.987Z"  # the same instant, written in UTC
    assert iso(aware.replace(tzinfo=None)) == "2025-03-01T09:05:07.987Z"
