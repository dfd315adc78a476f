"""Static files are served by whitenoise straight from the apps, with nothing to collect."""

from __future__ import annotations

import warnings

from whitenoise.middleware import WhiteNoiseMiddleware


def test_serving_needs_no_collectstatic_and_warns_about_nothing(client, settings):
    assert not settings.STATIC_MANIFEST
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        WhiteNoiseMiddleware(get_response=lambda request: None)
    assert [str(w.message) for w in caught] == []
    response = client.get("/static/dailypapers/site.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).strip()
