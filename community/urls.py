"""Community routes, mounted at the site root (before the papers app's catch-all)."""

from django.urls import path, re_path

from community import views

app_name = "community"
urlpatterns = [
    # Accounts (Django's auth views with our templates and rate limits).
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password_reset/", views.password_reset, name="password_reset"),
    path("accounts/password_reset/done/", views.password_reset_done, name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("accounts/verify/send", views.verify_email_send, name="verify_email_send"),
    path("accounts/verify/<str:token>", views.verify_email, name="verify_email"),
    path("users/<str:username>", views.profile, name="profile"),
    path("users/<str:username>/ban", views.ban, name="ban"),
    # Fixed paths under /papers/ come before the papers app's /papers/<arxiv_id>.
    path("papers/trending", views.trending, name="trending"),
    path("papers/submit", views.submit, name="submit"),
    path("about/trending", views.about_trending, name="about_trending"),
    # <path:...>: old-style arXiv ids contain a slash (hep-th/9901001).
    path("papers/<path:arxiv_id>/upvote", views.upvote, name="upvote"),
    path("papers/<path:arxiv_id>/comments", views.comment_create, name="comment_create"),
    path("papers/<path:arxiv_id>/claim", views.claim, name="claim"),
    path("papers/<path:arxiv_id>/links", views.paper_links, name="paper_links"),
    path("papers/<path:arxiv_id>/collections", views.paper_collections, name="paper_collections"),
    path("comments/<int:pk>/edit", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/hide", views.comment_hide, name="comment_hide"),
    path("claims/<int:pk>/decide", views.claim_decide, name="claim_decide"),
    path("curate/entries/<int:pk>", views.curate_entry, name="curate_entry"),
    # HF's slug shape: /collections/<owner>/<title-slug>-<id>; only the id identifies it.
    re_path(
        r"^collections/(?P<owner>[^/]+)/(?P<title>(?:[-\w]*-)?(?P<pk>\d+))$",
        views.collection_detail,
        name="collection",
    ),
    path("collections/<int:pk>", views.collection_redirect, name="collection_by_id"),
    path("collections/<int:pk>/edit", views.collection_update, name="collection_update"),
]
