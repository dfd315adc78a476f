"""Django admin for community data; curator actions go through services (and the audit log)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from community import services
from community.models import (
    AuditLog,
    AuthorshipClaim,
    Collection,
    CollectionItem,
    Comment,
    PendingSubmission,
    Vote,
)


def run_each(request: HttpRequest, rows: QuerySet, action: Any, label: str) -> None:
    """Apply ``action`` to every row, reporting successes and refusals as admin messages."""
    done, refused = 0, []
    for row in rows:
        try:
            action(row)
            done += 1
        except (services.CommunityError, PermissionDenied) as error:
            refused.append(f"{row}: {error}")
    if done:
        messages.success(request, f"{label}: {done} done.")
    for text in refused[:20]:
        messages.error(request, text)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services: viewable, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["id", "paper", "author", "created_at", "hidden", "deleted_at", "short_body"]
    list_filter = ["hidden", ("deleted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["body", "author__username", "paper__arxiv_id"]
    list_select_related = ["paper", "author"]
    raw_id_fields = ["paper", "author", "parent"]
    actions = ["hide", "unhide"]

    @admin.display(description="Body")
    def short_body(self, obj: Comment) -> str:
        return obj.body[:80]

    @admin.action(description="Hide selected comments")
    def hide(self, request: HttpRequest, rows: QuerySet) -> None:
        run_each(
            request, rows, lambda c: services.set_comment_hidden(request.user, c, True), "Hide"
        )

    @admin.action(description="Unhide selected comments")
    def unhide(self, request: HttpRequest, rows: QuerySet) -> None:
        run_each(
            request, rows, lambda c: services.set_comment_hidden(request.user, c, False), "Unhide"
        )


@admin.register(AuthorshipClaim)
class AuthorshipClaimAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "authorship", "orcid", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["user__username", "orcid", "authorship__author__name"]
    list_select_related = ["user", "authorship__author", "authorship__paper", "decided_by"]
    actions = ["approve", "reject"]

    @admin.action(description="Approve selected claims")
    def approve(self, request: HttpRequest, rows: QuerySet) -> None:
        run_each(request, rows, lambda c: services.decide_claim(request.user, c, True), "Approve")

    @admin.action(description="Reject selected claims")
    def reject(self, request: HttpRequest, rows: QuerySet) -> None:
        run_each(request, rows, lambda c: services.decide_claim(request.user, c, False), "Reject")


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_repr", "details"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor__username", "target_repr", "target_id"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the audit trail is append-only


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "paper"]
    search_fields = ["user__username", "paper__arxiv_id"]
    list_select_related = ["user", "paper"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting here would leave Paper.upvotes wrong


@admin.register(PendingSubmission)
class PendingSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["arxiv_id", "user", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status"]
    search_fields = ["arxiv_id", "user__username"]


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    raw_id_fields = ["paper"]
    extra = 0


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "is_public", "created_at"]
    list_filter = ["is_public"]
    search_fields = ["name", "owner__username"]
    inlines = [CollectionItemInline]


User = get_user_model()
admin.site.unregister(User)


class UniqueEmailChangeForm(UserChangeForm):
    """The stock change form, refusing an address another account has (any letter case)."""

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email", "").strip()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if email and taken.exists():
            raise forms.ValidationError("Another account already has this email address.")
        return email


@admin.register(User)
class CommunityUserAdmin(UserAdmin):
    """The stock user admin plus ban/unban actions that hide the user's content, and a way
    to mark an address verified (e.g. for accounts older than the verification mail)."""

    form = UniqueEmailChangeForm
    actions = ["ban", "unban", "mark_email_verified"]

    @admin.action(description="Mark the selected users' current email addresses as verified")
    def mark_email_verified(self, request: HttpRequest, rows: QuerySet) -> None:
        run_each(
            request,
            rows.exclude(email=""),
            lambda u: services.mark_email_verified(u, actor=request.user),
            "Mark verified",
        )

    @admin.action(description="Ban selected users (deactivate and hide their content)")
    def ban(self, request: HttpRequest, rows: QuerySet) -> None:
        run_each(request, rows, lambda u: services.ban_user(request.user, u), "Ban")

    @admin.action(description="Unban selected users")
    def unban(self, request: HttpRequest, rows: QuerySet) -> None:
        run_each(request, rows, lambda u: services.unban_user(request.user, u), "Unban")
