"""Library routes, mounted at the site root before the papers app's ``/papers/<id>``."""

from django.urls import path

from library import views

app_name = "library"
urlpatterns = [
    path("library", views.library, name="library"),
    path("library/import", views.import_view, name="import"),
    path("library/pending", views.pending, name="pending"),
    path("library/export.bib", views.library_export, {"kind": "bib"}, name="export_bib"),
    path("library/export.json", views.library_export, {"kind": "json"}, name="export_json"),
    path(
        "collections/<int:pk>/export.bib",
        views.collection_export,
        {"kind": "bib"},
        name="collection_bib",
    ),
    path(
        "collections/<int:pk>/export.json",
        views.collection_export,
        {"kind": "json"},
        name="collection_json",
    ),
    # <path:...>: old-style arXiv ids contain a slash (hep-th/9901001).
    path("papers/<path:arxiv_id>/cite", views.cite, name="cite"),
    path("papers/<path:arxiv_id>/cite.bib", views.cite_download, {"kind": "bib"}, name="cite_bib"),
    path(
        "papers/<path:arxiv_id>/cite.json", views.cite_download, {"kind": "json"}, name="cite_json"
    ),
    path("papers/<path:arxiv_id>/note", views.note, name="note"),
    path("settings/data", views.data_page, name="data"),
    path("settings/data/export.json", views.data_export, name="data_export"),
    path("settings/delete-account", views.delete_account, name="delete_account"),
]
