"""Forms: validation and error messages for what users type in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.contrib.auth.models import User

from community.services import COLLECTION_NAME_MAX_LENGTH, SUBMIT_COMMENT_MAX_LENGTH
from dailypapers.text import clean_text


class CleanCharField(forms.CharField):
    """A text field whose value loses control characters before it is validated, so a
    value made only of them is empty, and NUL never reaches the database."""

    def to_python(self, value: object) -> str:
        value = clean_text(super().to_python(value))
        return value.strip() if self.strip else value


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        max_length=254, help_text="Used only to reset your password and for digests you ask for."
    )
    display_name = CleanCharField(
        max_length=150, required=False, help_text="Optional; shown instead of your username."
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "display_name")

    def clean_email(self) -> str:
        """One account per address, compared case-insensitively (a database index too)."""
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email address already exists. "
                "Log in, or reset its password from the login page."
            )
        return email


class VerifiedPasswordResetForm(PasswordResetForm):
    """Django's reset form, mailing only the one active account whose address is verified."""

    def get_users(self, email: str) -> Iterator[Any]:
        users = User.objects.filter(
            email__iexact=email, is_active=True, verified_email__email__iexact=email
        )
        return (user for user in users[:1] if user.has_usable_password())


class CommentForm(forms.Form):
    body = CleanCharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=settings.COMMENT_MAX_LENGTH,
        help_text="Markdown: **bold**, *italic*, `code`, [links](https://…), lists.",
        label="Comment",
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class SubmitForm(forms.Form):
    paper = CleanCharField(
        max_length=300,
        label="arXiv id or URL",
        help_text="e.g. 2401.01234 or https://arxiv.org/abs/2401.01234",
    )
    comment = CleanCharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=SUBMIT_COMMENT_MAX_LENGTH,
        required=False,
        help_text="Optional: why is this paper worth reading?",
    )


class ClaimForm(forms.Form):
    authorship = forms.IntegerField(widget=forms.HiddenInput)
    orcid = CleanCharField(
        max_length=60,
        required=False,
        label="ORCID iD",
        help_text="Optional, e.g. 0000-0002-1825-0097",
    )


class CollectionForm(forms.Form):
    name = CleanCharField(max_length=COLLECTION_NAME_MAX_LENGTH)
    is_public = forms.BooleanField(required=False, label="Public")


def first_error(form: forms.Form) -> str:
    """The first validation message of ``form``, prefixed by its field label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        prefix = f"{label or name.replace('_', ' ').capitalize()}: " if name != "__all__" else ""
        return f"{prefix}{errors[0]}"
    return "Please check the form."
