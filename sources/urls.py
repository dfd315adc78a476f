"""Routes of the sources app, included before the papers app's ``/papers/<arxiv_id>``."""

from django.urls import path

from sources import views

app_name = "sources"
urlpatterns = [
    path("papers/date/<str:value>/arxiv", views.new_on_arxiv, name="new_on_arxiv"),
    path("papers/<path:arxiv_id>/fetch-status", views.fetch_status, name="fetch_status"),
    path("curate/arxiv/feature", views.feature, name="feature"),
    path("curate/sources", views.status, name="status"),
]
