"""Non-/api/ routes of the API app: the Markdown export (also by content negotiation on the
paper page) and the API token settings page."""

from django.urls import path, re_path

from api import views
from papers.arxiv_ids import URL_PATTERN

app_name = "api_pages"
urlpatterns = [
    # Any */papers/<x>.md: a malformed id gets a plain-text 400 rather than an HTML page.
    re_path(r"^papers/(?P<arxiv_id>.+)\.md$", views.paper_markdown_view, name="paper_markdown"),
    # The paper page itself, answered as Markdown when the client prefers text/markdown;
    # anything else under /papers/ is left to the papers app.
    re_path(rf"^papers/(?P<arxiv_id>{URL_PATTERN})$", views.paper_page, name="paper_page"),
    path("avatars/<str:username>.svg", views.avatar_svg, name="avatar"),
    path("settings/tokens", views.tokens_page, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke", views.revoke_token_view, name="revoke_token"),
]
