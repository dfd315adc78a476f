"""Pages owned by the API app: API token settings and the Markdown export of a paper."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api.markdown import paper_markdown
from api.queries import tokens_of
from api.services import create_token, revoke_token
from papers import views as paper_views
from papers.arxiv_ids import parse_arxiv_id
from papers.cards import card_by_arxiv_id


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="What the token is for, e.g. 'laptop CLI' or 'RSS bot'.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens_page(request: HttpRequest) -> HttpResponse:
    """List the user's tokens and create new ones; a new secret is shown on this response only."""
    form = TokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        _token, secret = create_token(request.user, form.cleaned_data["name"])
        form = TokenForm()
    context = {"form": form, "tokens": tokens_of(request.user), "secret": secret}
    response = render(request, "api/tokens.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"  # the secret must not linger in any cache
    return response


@login_required
@require_POST
def revoke_token_view(request: HttpRequest, token_id: int) -> HttpResponse:
    if revoke_token(request.user, token_id):
        messages.success(request, "Token revoked. Clients using it can no longer sign in.")
    else:
        messages.error(request, "No such token.")
    return redirect("api_pages:tokens")


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


@require_GET
def paper_markdown_view(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """``/papers/<id>.md``: the paper page as Markdown (text/markdown); plain-text 400 for a
    malformed id and 404 for a paper we lack, since Markdown readers are not browsers."""
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        return _text(f"'{arxiv_id[:80]}' is not an arXiv id (like 2401.01234).", 400)
    paper = card_by_arxiv_id(parsed.id)
    if paper is None:
        return _text(f"No paper with arXiv id {parsed.id} here.", 404)
    return HttpResponse(paper_markdown(paper), content_type="text/markdown; charset=utf-8")


def paper_page(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """``/papers/<id>``: Markdown for clients that prefer ``text/markdown`` in ``Accept`` (as
    on Hugging Face), else the HTML page; either way the answer varies with ``Accept``."""
    preferred = request.get_preferred_type(["text/html", "text/markdown"])
    if request.method == "GET" and preferred == "text/markdown":
        response = paper_markdown_view(request, arxiv_id=arxiv_id)
    else:
        response = paper_views.paper_detail(request, arxiv_id=arxiv_id)
    patch_vary_headers(response, ["Accept"])
    return response


_AVATAR_COLOURS = ("#6366f1", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#14b8a6")


@require_GET
def avatar_svg(request: HttpRequest, username: str) -> HttpResponse:
    """An initials avatar for ``avatarUrl`` in API output (local accounts have no picture)."""
    initial = escape((username[:1] or "?").upper())
    colour = _AVATAR_COLOURS[int(hashlib.sha1(username.encode()).hexdigest(), 16) % 7]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" rx="32" fill="{colour}"/>'
        '<text x="32" y="42" font-family="sans-serif" font-size="28" text-anchor="middle" '
        f'fill="#fff">{initial}</text></svg>'
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
