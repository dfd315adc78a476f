from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CommunityConfig(AppConfig):
    default = True
    name = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        from community import authentication  # noqa: F401  (connects the failed-login counter)


class LimitedAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the rate-limited login (``community.admin_site``)."""

    default = False
    default_site = "community.admin_site.DailyPapersAdminSite"
