"""Answer 400 to a request whose path holds a NUL byte.

Nothing stored contains NUL (``dailypapers.text.clean_text`` removes it at every entry
point), so no name, slug or filter with one can match anything. PostgreSQL refuses NUL in a
query parameter outright, so without this guard a look-up such as ``/users/a%00b`` would be a
500 there and a 404 on SQLite. Other control characters are stripped where text enters
(search queries, forms, API bodies), and query-string parameters are cleaned by the views
and API schemas that read them; a path is refused here, once, for every view.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

MESSAGE = "The address contains a NUL character (%00), which no page can have."


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
