from django.apps import AppConfig


class DailypapersConfig(AppConfig):
    """The project app: ops commands, the content version used by the cache."""

    name = "dailypapers"
    verbose_name = "Daily Papers (operations)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dailypapers import cache

        cache.connect()
