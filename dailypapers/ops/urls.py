"""Included from dailypapers/urls.py with ``path("", include("dailypapers.ops.urls"))``."""

from django.urls import path

from dailypapers.ops.views import healthz, metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
]
