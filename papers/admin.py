"""Django admin for curators over papers, feed entries, authors and organizations.

Curation actions (feature, hide, move to another day) call ``community.services`` so each
one is permission-checked and written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from community import services
from community.admin import run_each
from papers.models import Author, DailyEntry, Organization, Paper, PaperAuthor

# Counters are maintained by the vote/comment services; editing them by hand would drift.
COUNTER_FIELDS = ("upvotes", "imported_upvotes", "num_comments", "imported_comments")

# A link typed without a scheme is taken as https, the only scheme these sites serve today
# (and Django 6's default; saying it explicitly silences the 5.x deprecation warning).
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class PaperAuthorInline(admin.TabularInline):
    model = PaperAuthor
    extra = 0
    raw_id_fields = ["author", "claimed_by"]
    fields = ["position", "author", "hidden", "status", "claimed_by"]


class DailyEntryInline(admin.TabularInline):
    model = DailyEntry
    extra = 0
    fields = ["date", "featured", "hidden", "submitted_by", "submitter_name"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["arxiv_id", "title", "published_at", "upvotes", "num_comments", "source"]
    list_filter = ["source", "primary_category", "published_at"]
    search_fields = ["arxiv_id", "title"]
    date_hierarchy = "published_at"
    list_select_related = ["organization"]
    formfield_overrides = HTTPS_URL_FIELDS
    raw_id_fields = ["organization"]
    readonly_fields = [*COUNTER_FIELDS, "created_at", "updated_at"]
    inlines = [PaperAuthorInline, DailyEntryInline]
    actions = ["hide_everywhere"]

    def save_model(self, request: HttpRequest, obj: Paper, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.audit(
            request.user,
            "edit_paper" if change else "add_paper",
            obj,
            fields=sorted(form.changed_data),
        )

    @admin.action(description="Hide the selected papers on every daily feed")
    def hide_everywhere(self, request: HttpRequest, rows: QuerySet) -> None:
        entries = DailyEntry.objects.filter(paper__in=rows, hidden=False).select_related("paper")
        run_each(
            request, entries, lambda e: services.set_entry_hidden(request.user, e, True), "Hide"
        )


class MoveForm(forms.Form):
    date = forms.DateField(help_text="YYYY-MM-DD", widget=forms.DateInput(attrs={"type": "date"}))


@admin.register(DailyEntry)
class DailyEntryAdmin(admin.ModelAdmin):
    list_display = ["date", "paper", "featured", "hidden", "submitter", "submitted_at"]
    list_filter = ["featured", "hidden", "date"]
    search_fields = ["paper__arxiv_id", "paper__title", "submitted_by__username", "submitter_name"]
    date_hierarchy = "date"
    list_select_related = ["paper", "submitted_by"]
    raw_id_fields = ["paper", "submitted_by"]
    # Changes go through the actions so they are audited.
    readonly_fields = ["date", "featured", "hidden"]
    actions = ["feature", "unfeature", "hide", "unhide", "move_to_day"]

    @admin.display(description="Submitted by")
    def submitter(self, obj: DailyEntry) -> str:
        return obj.submitter_display

    @admin.action(description="Feature on their day")
    def feature(self, request: HttpRequest, rows: QuerySet) -> None:
        run_each(
            request, rows, lambda e: services.set_entry_featured(request.user, e, True), "Feature"
        )

    @admin.action(description="Unfeature")
    def unfeature(self, request: HttpRequest, rows: QuerySet) -> None:
        run_each(
            request,
            rows,
            lambda e: services.set_entry_featured(request.user, e, False),
            "Unfeature",
        )

    @admin.action(description="Hide (spam)")
    def hide(self, request: HttpRequest, rows: QuerySet) -> None:
        run_each(request, rows, lambda e: services.set_entry_hidden(request.user, e, True), "Hide")

    @admin.action(description="Unhide")
    def unhide(self, request: HttpRequest, rows: QuerySet) -> None:
        run_each(
            request, rows, lambda e: services.set_entry_hidden(request.user, e, False), "Unhide"
        )

    @admin.action(description="Move to another day…")
    def move_to_day(self, request: HttpRequest, rows: QuerySet) -> HttpResponse | None:
        form = MoveForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            date: dt.date = form.cleaned_data["date"]
            run_each(request, rows, lambda e: services.move_entry(request.user, e, date), "Move")
            return None
        if "apply" in request.POST:
            messages.error(request, "Enter the target day as YYYY-MM-DD.")
        context = {
            **self.admin_site.each_context(request),
            "title": "Move entries to another day",
            "entries": rows.select_related("paper"),
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "community/admin_move_entries.html", context)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    formfield_overrides = HTTPS_URL_FIELDS
    search_fields = ["name", "slug"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "hf_id"]
    search_fields = ["name", "slug"]
