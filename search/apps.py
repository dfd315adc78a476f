from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from papers.signals import papers_changed
        from search.signals import on_papers_changed

        papers_changed.connect(on_papers_changed, dispatch_uid="search.index_on_change")
