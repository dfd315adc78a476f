"""The admin site: Django's, with its login form under the same sign-in limiter as the site's."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from community.authentication import refuse_locked_login


class DailyPapersAdminSite(admin.AdminSite):
    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Answer 429 while the account or client is locked; otherwise Django's admin login.

        The backend refuses locked sign-ins anyway; this only turns "wrong password" into
        the limiter's message.
        """
        return refuse_locked_login(request) or super().login(request, extra_context)
