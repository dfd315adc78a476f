from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from papers.models import Paper
        from papers.signals import papers_changed
        from search.signals import on_paper_deleted, on_papers_changed

        papers_changed.connect(on_papers_changed, dispatch_uid="search.index_on_change")
        # Every deletion path (instance, queryset, admin) sends post_delete per paper.
        post_delete.connect(on_paper_deleted, sender=Paper, dispatch_uid="search.tombstone")
