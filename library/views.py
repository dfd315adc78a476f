"""Library pages: the library, imports, exports, citations, notes, and the account's data
(export and deletion). Views parse input, call ``library.services`` / ``library.queries``
and render; every page works without JavaScript."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import queries as community_queries
from community.forms import first_error
from community.ratelimit import ratelimit
from community.services import CommunityError
from dailypapers.text import clean_text
from library import citations, queries, services
from library.forms import DeleteAccountForm, ImportForm, NoteForm
from papers import queries as paper_queries
from papers.arxiv_ids import parse_arxiv_id
from papers.cards import PaperCard
from papers.models import Paper

BIBTEX = "application/x-bibtex; charset=utf-8"
CSL_JSON = "application/vnd.citationstyles.csl+json; charset=utf-8"


def download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def export_response(cards: Sequence[PaperCard], kind: str, name: str) -> HttpResponse:
    """``cards`` as a ``.bib`` (kind "bib") or CSL-JSON (kind "json") download."""
    if kind == "bib":
        body = citations.to_bibtex(cards)
        return download(body, BIBTEX, citations.export_filename(name, "bib"))
    body = json.dumps(citations.to_csl_json(cards), ensure_ascii=False, indent=2)
    return download(body, CSL_JSON, citations.export_filename(name, "json"))


def _paper(arxiv_id: str) -> Paper:
    parsed = parse_arxiv_id(arxiv_id)
    paper = paper_queries.paper_by_arxiv_id(parsed.id) if parsed else None
    if paper is None:
        raise Http404(f"We have no paper {arxiv_id[:80]}.")
    return paper


# --- the library ----------------------------------------------------------------------


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    cards = queries.library_cards(request.user)
    notes = queries.notes_by_paper(request.user, [c.pk for c in cards])
    context = {
        "items": [(card, notes.get(card.pk)) for card in cards],
        "pending": queries.pending_imports(request.user),
        "collection": queries.library_collection(request.user),
    }
    return render(request, "library/library.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit("library_import")
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload or paste a bibliography; the answer lists what happened to every entry."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "GET" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "library/import.html", {"form": form}, status=status)
    try:
        report = _run_import(request, form.cleaned_data)
    except services.ImportRefused as refused:
        form.add_error(None, str(refused))
        return render(request, "library/import.html", {"form": form}, status=400)
    back = _posted_next(request)
    if back:  # posted from another page (the For-you cold start): say it there
        messages.success(request, _summary(report))
        return redirect(back)
    return render(request, "library/import.html", {"form": ImportForm(), "report": report})


def _posted_next(request: HttpRequest) -> str:
    """The form's ``next`` when it is a path on this site, else ""."""
    target = request.POST.get("next", "")
    local = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if local else ""


def _summary(report: services.ImportReport) -> str:
    parts = [f"Added {len(report.added)} papers to your library"]
    if report.already:
        parts.append(f"{len(report.already)} were in it already")
    if report.queued:
        parts.append(f"{len(report.queued)} are being fetched from arXiv")
    for problem in (report.unmatched + report.problems)[:5]:
        parts.append(f"{problem.label}: {problem.message}")
    return "; ".join(parts) + "."


def _run_import(request: HttpRequest, data: dict) -> services.ImportReport:
    upload = data.get("file")
    if upload is not None:
        services.check_size(upload.size)
        text, filename = services.decode_upload(upload.read()), upload.name or ""
    else:
        text, filename = data["text"], ""
    return services.import_library(request.user, text, data["format"], filename)


@login_required
@require_POST
def pending(request: HttpRequest) -> HttpResponse:
    """Retry the imports arXiv could not be reached for, or forget the unfetchable ones."""
    if request.POST.get("action") == "clear":
        count = services.clear_pending(request.user)
        messages.success(request, f"Forgot {count} papers that could not be fetched.")
    else:
        count = services.retry_pending(request.user)
        messages.success(request, f"Fetching {count} papers from arXiv again.")
    return redirect("library:library")


@login_required
@require_GET
def library_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The whole library: collections, upvotes and claimed papers."""
    return export_response(queries.library_cards(request.user), kind, "library")


@require_GET
def collection_export(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A collection, for its owner, or for anyone when it is public."""
    collection = community_queries.visible_collection(pk, request.user)
    if collection is None:
        raise Http404("There is no collection you can see with this id.")
    cards = community_queries.collection_papers(collection)
    return export_response(cards, kind, collection.name)


# --- citations and notes ------------------------------------------------------------------


@require_GET
def cite(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """``/papers/<id>/cite``: the BibTeX and CSL-JSON of a paper, to copy."""
    paper = _paper(arxiv_id)
    if paper.arxiv_id != arxiv_id:
        return redirect("library:cite", arxiv_id=paper.arxiv_id)
    card = queries.cards_of([paper])[0]
    context = {
        "paper": paper,
        "bibtex": citations.to_bibtex([card]),
        "csl_json": json.dumps(citations.to_csl_json([card]), ensure_ascii=False, indent=2),
    }
    return render(request, "library/cite.html", context)


@require_GET
def cite_download(request: HttpRequest, arxiv_id: str, kind: str) -> HttpResponse:
    paper = _paper(arxiv_id)
    return export_response(queries.cards_of([paper]), kind, paper.arxiv_id.replace("/", "-"))


@login_required
@require_POST
def note(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = _paper(arxiv_id)
    form = NoteForm({"body": clean_text(request.POST.get("body", ""))})
    back = f"{paper.get_absolute_url()}#note"
    if request.POST.get("next") == "library":
        back = f"/library#paper-{paper.pk}"
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(back)
    try:
        saved = services.save_note(request.user, paper, form.cleaned_data["body"])
    except CommunityError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, "Note saved." if saved else "Note deleted.")
    return redirect(back)


# --- your data ----------------------------------------------------------------------------


@login_required
@require_GET
def data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "library/data.html", {})


@login_required
@require_GET
def data_export(request: HttpRequest) -> HttpResponse:
    body = json.dumps(queries.user_data(request.user), ensure_ascii=False, indent=2)
    filename = citations.export_filename(f"dailypapers-{request.user.username}", "json")
    return download(body, "application/json; charset=utf-8", filename)


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """The confirmation step (password and a checkbox), then the deletion."""
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.delete_account(user)
        messages.success(request, "Your account and your personal data were deleted.")
        return redirect("/papers")
    status = 400 if request.method == "POST" else 200
    return render(request, "library/delete_account.html", {"form": form}, status=status)
