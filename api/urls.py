"""Non-/api/ routes of the API app: the Markdown export and the API token settings page."""

from django.urls import path, re_path

from api import views
from papers.arxiv_ids import URL_PATTERN

app_name = "api_pages"
urlpatterns = [
    re_path(
        rf"^papers/(?P<arxiv_id>{URL_PATTERN})\.md$",
        views.paper_markdown_view,
        name="paper_markdown",
    ),
    path("avatars/<str:username>.svg", views.avatar_svg, name="avatar"),
    path("settings/tokens", views.tokens_page, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke", views.revoke_token_view, name="revoke_token"),
]
