from django.urls import path  # noqa: F401

app_name = "api_pages"
# Non-/api/ routes owned by the API issue (e.g. /papers/<id>.md) go here.
urlpatterns: list = []
