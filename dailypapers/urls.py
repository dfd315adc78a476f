"""URL map. Each app owns its own ``urls.py``; order matters only where paths overlap:
fixed paths under /papers/ (search, trending, submit, ...) come before /papers/<arxiv_id>."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from api.api import api


def favicon(request: HttpRequest) -> HttpResponse:
    """Pages without an icon link (the admin, Swagger UI) make browsers ask for this one."""
    return redirect(static("dailypapers/favicon.svg"))


urlpatterns = [
    path("", RedirectView.as_view(url="/papers", permanent=False)),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("dailypapers.ops.urls")),  # /healthz, /metrics
    path("", include("search.urls")),
    path("", include("community.urls")),
    path("", include("library.urls")),
    path("", include("digests.urls")),
    path("", include("api.urls")),
    path("", include("sources.urls")),
    path("", include("papers.urls")),
]
