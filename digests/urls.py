"""Digest pages under /digests/ and RSS/Atom feeds under /feeds/."""

from django.urls import path

from digests import feeds, views

app_name = "digests"
urlpatterns = [
    path("digests/subscribe", views.subscribe, name="subscribe"),
    path("digests/confirm/<str:token>", views.confirm, name="confirm"),
    path("digests/manage", views.manage, name="manage"),
    path("digests/manage/<str:token>", views.manage_token, name="manage_token"),
    path("digests/manage/<str:token>/preview", views.preview_token, name="preview_token"),
    path("digests/preview", views.preview, name="preview"),
    path("digests/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("feeds/daily.xml", feeds.DailyFeed(), name="feed_daily"),
    path("feeds/daily.atom", feeds.DailyAtomFeed(), name="feed_daily_atom"),
    path("feeds/trending.xml", feeds.TrendingFeed(), name="feed_trending"),
    path("feeds/search.xml", feeds.search_feed, name="feed_search"),
    path("feeds/organizations/<str:slug>.xml", feeds.OrganizationFeed(), name="feed_organization"),
    path("feeds/collections/<int:pk>.xml", feeds.CollectionFeed(), name="feed_collection"),
]
