"""Forms of the library pages."""

from __future__ import annotations

from django import forms

from library.services import NOTE_MAX_LENGTH

FORMAT_CHOICES = [
    ("auto", "Detect"),
    ("bibtex", "BibTeX (.bib)"),
    ("csl-json", "CSL-JSON (.json)"),
    ("ids", "arXiv ids or URLs, one per line"),
]


class ImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="Upload an export",
        help_text="BibTeX or CSL-JSON from Zotero, Mendeley, Google Scholar, JabRef…",
    )
    text = forms.CharField(
        required=False,
        label="…or paste it",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="BibTeX, CSL-JSON, or arXiv ids / URLs (one per line).",
    )
    format = forms.ChoiceField(
        choices=FORMAT_CHOICES, initial="auto", label="Format", required=False
    )

    def __init__(self, data=None, *args, **kwargs) -> None:
        if data is not None and data.get("ids") and not data.get("text"):
            data = data.copy()  # another page's short form: a list of ids as ``ids``
            data["text"], data["format"] = data["ids"], "ids"
        super().__init__(data, *args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError("Upload a file or paste a bibliography or a list of ids.")
        data["format"] = data.get("format") or "auto"
        return data


class NoteForm(forms.Form):
    body = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        label="Your private note",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only you can see it. Save it empty to delete it.",
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand that my account and personal data are deleted for good."
    )

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
