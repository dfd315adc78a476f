from django.apps import AppConfig


class DailypapersConfig(AppConfig):
    """The project app: ops commands, the versions of the cache's dependency tags."""

    name = "dailypapers"
    verbose_name = "Daily Papers (operations)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dailypapers import cache

        cache.connect()
