"""Feed, paper, author and organization pages.

Included last by ``dailypapers/urls.py`` so other apps' fixed paths under ``/papers/``
win; the paper route takes any remaining path and explains itself when it is no arXiv id.
"""

from django.urls import path
from django.views.generic import RedirectView

from papers import views

app_name = "papers"
urlpatterns = [
    path("papers", views.feed_latest, name="feed"),
    path("papers/", RedirectView.as_view(url="/papers", query_string=True)),
    path("papers/date/<str:value>", views.feed_period, {"kind": "day"}, name="day"),
    path("papers/week/<str:value>", views.feed_period, {"kind": "week"}, name="week"),
    path("papers/month/<str:value>", views.feed_period, {"kind": "month"}, name="month"),
    path("authors/<str:slug>", views.author_detail, name="author"),
    path("organizations/<str:slug>", views.organization_detail, name="organization"),
    # path: old-style ids contain a slash (hep-th/9901001).
    path("papers/<path:arxiv_id>", views.paper_detail, name="paper"),
]
