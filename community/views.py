"""Community pages and actions. Views parse input, call services/queries, and render.

Actions answer htmx requests with a partial to swap in and plain form posts with a
redirect back, so every feature also works without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import queries, services
from community.authentication import refuse_locked_login
from community.email_verification import VerificationError
from community.email_verification import read_token as read_verification_token
from community.forms import (
    ClaimForm,
    CollectionForm,
    CommentForm,
    SignupForm,
    SubmitForm,
    VerifiedPasswordResetForm,
    first_error,
)
from community.models import AuthorshipClaim, Collection
from community.permissions import is_curator
from community.ratelimit import ratelimit
from community.templatetags.community_tags import paper_community_context
from community.trending import PERIODS, trending_papers
from papers.models import DailyEntry, Paper, PaperAuthor
from papers.queries import latest_feed_date

logger = logging.getLogger(__name__)

# --- helpers --------------------------------------------------------------------------


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """The posted/queried ``next`` URL when it stays on this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else fallback


def _login_redirect(request: HttpRequest, back_to: str) -> HttpResponse:
    """Send an anonymous visitor to log in, then back to ``back_to``."""
    url = f"{settings.LOGIN_URL}?{urlencode({'next': back_to})}"
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _paper(arxiv_id: str) -> Paper:
    return get_object_or_404(Paper, arxiv_id=arxiv_id.strip("/"))


def _error(request: HttpRequest, message: str, back_to: str, status: int = 400) -> HttpResponse:
    """Show a refused action: inline text for htmx, a flash message and redirect otherwise."""
    if request.htmx:
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return redirect(back_to)


def _community_section(request: HttpRequest, paper: Paper) -> HttpResponse:
    context = paper_community_context(request, paper)
    context["next"] = paper.get_absolute_url()
    return render(request, "community/_paper_community.html", context)


# --- accounts -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@ratelimit("signup", by="ip")
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and log in."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_user(
                data["username"], data["email"], data["password1"], data["display_name"]
            )
        except services.CommunityError as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, f"Welcome, {user.username}!")
            _mail_verification_link(request, user)
            return redirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
    status = 400 if form.errors else 200
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(
        request, "registration/signup.html", {"form": form, "next": next_url}, status=status
    )


def _mail_verification_link(request: HttpRequest, user: Any) -> None:
    """Mail the link that verifies the account's address; a mail failure is only a message."""
    try:
        services.send_verification_email(user)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("verification mail to user %s failed: %s", user.pk, error)
        messages.warning(
            request,
            "We could not send the link that verifies your email address; ask for it again "
            "on your profile page later.",
        )
        return
    messages.info(
        request,
        f"We sent a link to {user.email}: open it to verify the address. Until then password "
        "resets and your account's digest are not mailed to it.",
    )


@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: GET shows a button (mail scanners open links), POST verifies."""
    try:
        person = read_verification_token(token)
    except VerificationError as error:
        context = {"message": error.message}
        return render(request, "community/400.html", context, status=error.status)
    if request.method == "GET":
        return render(request, "registration/verify_email.html", {"person": person})
    services.mark_email_verified(person)
    messages.success(request, f"{person.email} is verified.")
    if request.user.is_authenticated and request.user.pk == person.pk:
        return redirect(f"/users/{person.username}")
    return redirect(settings.LOGIN_URL)


@require_POST
@ratelimit("verify_email")
def verify_email_send(request: HttpRequest) -> HttpResponse:
    """Mail the logged-in user a fresh verification link (from the profile page)."""
    if not request.user.is_authenticated:
        return _login_redirect(request, settings.LOGIN_REDIRECT_URL)
    back = f"/users/{request.user.username}"
    if not request.user.email:
        return _error(request, "Your account has no email address to verify.", back)
    if queries.email_verified(request.user):
        messages.info(request, f"{request.user.email} is already verified.")
        return redirect(back)
    _mail_verification_link(request, request.user)
    return redirect(back)


class RateLimitedLoginView(auth_views.LoginView):
    """Django's login view under the sign-in limiter shared with the admin login."""

    template_name = "registration/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return refuse_locked_login(request) or super().post(request, *args, **kwargs)


@method_decorator(ratelimit("password_reset", by="ip"), name="dispatch")
class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset view: the same answer whether or not the address has an account; the
    mail goes only to the one account whose address is verified."""

    form_class = VerifiedPasswordResetForm
    template_name = "registration/password_reset.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("community:password_reset_done")


login_view = RateLimitedLoginView.as_view()
logout_view = auth_views.LogoutView.as_view()
password_reset = RateLimitedPasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/password_reset_sent.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="registration/password_reset_set.html",
    success_url=reverse_lazy("community:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_finished.html"
)


@require_GET
def profile(request: HttpRequest, username: str) -> HttpResponse:
    data = queries.profile(username, request.user)
    if data is None:
        raise Http404("No such user")
    return render(
        request,
        "community/profile.html",
        {
            "profile": data,
            "is_curator": is_curator(request.user),
            "nav": "profile",
            "email_verified": queries.email_verified(request.user),
        },
    )


@require_POST
def ban(request: HttpRequest, username: str) -> HttpResponse:
    """Curators ban (or unban) a user; their comments and submissions are hidden."""
    data = queries.profile(username, request.user)
    if data is None:
        raise Http404("No such user")
    back = f"/users/{username}"
    try:
        if request.POST.get("action") == "unban":
            services.unban_user(request.user, data.person)
            messages.success(request, f"{username} can log in again.")
        else:
            done = services.ban_user(request.user, data.person)
            messages.success(
                request,
                f"{username} is banned; {done['comments_hidden']} comments and "
                f"{done['entries_hidden']} submissions hidden.",
            )
    except services.CommunityError as error:
        return _error(request, str(error), back)
    return redirect(back)


# --- votes ----------------------------------------------------------------------------


@require_POST
@ratelimit("vote")
def upvote(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Set the user's vote (``vote=1``/``0``; absent: toggle) and return the new button."""
    # Only what the button needs: this is the hottest write path.
    paper = get_object_or_404(Paper.objects.only("id", "arxiv_id", "upvotes"), arxiv_id=arxiv_id)
    back = _safe_next(request, paper.get_absolute_url())
    if not request.user.is_authenticated:
        return _login_redirect(request, back)
    wanted = request.POST.get("vote")
    if wanted in ("0", "1"):
        result = services.set_vote(request.user, paper.pk, wanted == "1")
    else:
        result = services.toggle_vote(request.user, paper.pk)
    if not request.htmx:
        return redirect(back)
    paper.upvotes = result.upvotes
    context = {"paper": paper, "voted": result.voted, "next": back}
    return render(request, "community/_upvote.html", context)


# --- comments -------------------------------------------------------------------------


@require_POST
@ratelimit("comment")
def comment_create(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = _paper(arxiv_id)
    back = f"{paper.get_absolute_url()}#comments"
    if not request.user.is_authenticated:
        return _login_redirect(request, back)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _error(request, first_error(form), back)
    parent = None
    if form.cleaned_data["parent"]:
        parent = queries.comment_by_id(form.cleaned_data["parent"])
        if parent is None:
            return _error(request, "The comment you replied to no longer exists.", back)
    try:
        comment = services.add_comment(request.user, paper, form.cleaned_data["body"], parent)
    except services.CommunityError as error:
        return _error(request, str(error), back)
    if request.htmx:
        return _community_section(request, paper)
    return redirect(f"{paper.get_absolute_url()}#comment-{comment.pk}")


def _own_comment(request: HttpRequest, pk: int) -> Any:
    comment = queries.comment_by_id(pk)
    if comment is None:
        raise Http404("No such comment")
    if comment.author_id != request.user.pk:
        raise PermissionDenied("You can only change your own comments.")
    return comment


@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login_redirect(request, request.get_full_path())
    comment = _own_comment(request, pk)
    back = f"{comment.paper.get_absolute_url()}#comment-{comment.pk}"
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.edit_comment(request.user, comment, form.cleaned_data["body"])
                return redirect(back)
            except services.CommunityError as error:
                form.add_error("body", str(error))
        context = {"form": form, "comment": comment}
        return render(request, "community/comment_edit.html", context, status=400)
    return render(request, "community/comment_edit.html", {"form": form, "comment": comment})


@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login_redirect(request, "/papers")
    comment = _own_comment(request, pk)
    services.delete_comment(request.user, comment)
    messages.success(request, "Your comment was deleted.")
    return redirect(f"{comment.paper.get_absolute_url()}#comments")


@require_POST
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = queries.comment_by_id(pk)
    if comment is None:
        raise Http404("No such comment")
    services.set_comment_hidden(request.user, comment, request.POST.get("hidden") != "0")
    return redirect(f"{comment.paper.get_absolute_url()}#comment-{comment.pk}")


# --- submissions ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@ratelimit("submit")
def submit(request: HttpRequest) -> HttpResponse:
    """Submit a paper to today's feed by arXiv id or URL."""
    if not request.user.is_authenticated:
        return _login_redirect(request, reverse("community:submit"))
    form = SubmitForm(request.POST or None, initial={"paper": request.GET.get("paper", "")})
    context: dict[str, Any] = {
        "form": form,
        "nav": "submit",
        "max_age_days": settings.SUBMIT_MAX_AGE_DAYS,
        "daily_cap": settings.SUBMIT_DAILY_CAP,
    }
    if request.method == "GET":
        return render(request, "community/submit.html", context)
    if form.is_valid():
        try:
            result = services.submit_paper(
                request.user, form.cleaned_data["paper"], form.cleaned_data["comment"]
            )
        except services.CommunityError as error:
            form.add_error("paper", str(error))
        else:
            if result.status == "queued":
                messages.warning(request, result.message)
                return redirect(f"/users/{request.user.username}")
            messages.success(request, result.message)
            return redirect(result.entry.paper.get_absolute_url())
    return render(request, "community/submit.html", context, status=400)


# --- curation -------------------------------------------------------------------------


@require_POST
def curate_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """In-page curator buttons: feature/unfeature, hide/unhide or move a feed entry."""
    entry = get_object_or_404(DailyEntry.objects.select_related("paper"), pk=pk)
    back = entry.paper.get_absolute_url()
    action = request.POST.get("action", "")
    try:
        if action in ("feature", "unfeature"):
            services.set_entry_featured(request.user, entry, action == "feature")
        elif action in ("hide", "unhide"):
            services.set_entry_hidden(request.user, entry, action == "hide")
        elif action == "move":
            services.move_entry(request.user, entry, _posted_date(request))
        else:
            return _error(request, f"Unknown curator action '{action[:30]}'.", back)
    except (services.CommunityError, ValueError) as error:
        return _error(request, str(error), back)
    messages.success(request, f"Done: {action} {entry.paper.arxiv_id} ({entry.date}).")
    return redirect(back)


def _posted_date(request: HttpRequest) -> dt.date:
    raw = request.POST.get("date", "")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"'{raw[:20]}' is not a date in YYYY-MM-DD format.") from None


# --- claims ---------------------------------------------------------------------------


@require_POST
def claim(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = _paper(arxiv_id)
    back = f"{paper.get_absolute_url()}#claims"
    if not request.user.is_authenticated:
        return _login_redirect(request, back)
    form = ClaimForm(request.POST)
    if not form.is_valid():
        return _error(request, first_error(form), back)
    authorship = (
        PaperAuthor.objects.filter(pk=form.cleaned_data["authorship"], paper=paper)
        .select_related("author")
        .first()
    )
    if authorship is None:
        return _error(request, "That author is not on this paper.", back)
    try:
        services.claim_authorship(request.user, authorship, form.cleaned_data["orcid"])
    except services.CommunityError as error:
        return _error(request, str(error), back)
    messages.success(request, "Claim sent: a curator will review it.")
    return redirect(back)


@require_POST
def paper_links(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """The paper page's links form: GitHub repository and project page."""
    paper = _paper(arxiv_id)
    back = f"{paper.get_absolute_url()}#links"
    if not request.user.is_authenticated:
        return _login_redirect(request, back)
    try:
        changed = services.set_paper_links(
            request.user,
            paper,
            request.POST.get("github_repo", ""),
            request.POST.get("project_page", ""),
        )
    except services.CommunityError as error:
        return _error(request, str(error), back)
    except PermissionDenied as error:
        return _error(request, str(error), back, status=403)
    messages.success(request, "Links saved." if changed else "Nothing changed.")
    return redirect(back)


@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    claim_row = get_object_or_404(
        AuthorshipClaim.objects.select_related("authorship__paper", "user"), pk=pk
    )
    back = _safe_next(request, f"{claim_row.authorship.paper.get_absolute_url()}#claims")
    try:
        services.decide_claim(request.user, claim_row, request.POST.get("decision") == "approve")
    except services.CommunityError as error:
        return _error(request, str(error), back)
    messages.success(request, f"Claim {claim_row.status}.")
    return redirect(back)


# --- collections ----------------------------------------------------------------------


@require_POST
def paper_collections(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Add/remove the paper to/from a collection, or create one and add it (htmx widget)."""
    paper = _paper(arxiv_id)
    back = f"{paper.get_absolute_url()}#collections"
    if not request.user.is_authenticated:
        return _login_redirect(request, back)
    try:
        _apply_collection_change(request, paper)
    except services.CommunityError as error:
        return _error(request, str(error), back)
    if request.htmx:
        context = {
            "paper": paper,
            "collections": queries.collections_with_paper(request.user, paper),
        }
        return render(request, "community/_collections.html", context)
    return redirect(back)


def _apply_collection_change(request: HttpRequest, paper: Paper) -> None:
    action = request.POST.get("action", "add")
    if request.POST.get("new_name", "").strip():
        collection = services.create_collection(
            request.user, request.POST["new_name"], request.POST.get("is_public") == "1"
        )
    elif request.POST.get("collection"):
        collection = _own_collection(request, request.POST["collection"])
    else:
        collection = None  # the default Reading list
    if action == "remove" and collection is not None:
        services.remove_from_collection(request.user, paper, collection)
    else:
        services.add_to_collection(request.user, paper, collection)


def _own_collection(request: HttpRequest, raw_id: str) -> Collection:
    collection = Collection.objects.filter(pk=int(raw_id) if raw_id.isdigit() else 0).first()
    if collection is None:
        raise Http404("No such collection")
    if collection.owner_id != request.user.pk:
        raise PermissionDenied("This collection is not yours.")
    return collection


def _visible_collection(request: HttpRequest, pk: int) -> Collection:
    collection = queries.visible_collection(pk, request.user)
    if collection is None:
        raise Http404("No such collection")
    return collection


@require_GET
def collection_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    """The collection's address before slugs (``/collections/<id>``) leads to its slug URL."""
    return redirect(_visible_collection(request, pk).get_absolute_url(), permanent=True)


@require_GET
def collection_detail(request: HttpRequest, owner: str, title: str, pk: str) -> HttpResponse:
    collection = _visible_collection(request, int(pk))
    if (owner, title) != (collection.owner.username, collection.slug_name):
        return redirect(collection.get_absolute_url(), permanent=True)  # renamed since
    context = {
        "collection": collection,
        "papers": queries.collection_papers(collection),
        "own": request.user.is_authenticated and collection.owner_id == request.user.pk,
        "form": CollectionForm(
            initial={"name": collection.name, "is_public": collection.is_public}
        ),
    }
    return render(request, "community/collection.html", context)


@require_POST
def collection_update(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login_redirect(request, reverse("community:collection_by_id", args=[pk]))
    collection = _own_collection(request, str(pk))
    back = collection.get_absolute_url()
    if request.POST.get("action") == "delete":
        services.delete_collection(request.user, collection)
        messages.success(request, f"Collection '{collection.name}' deleted.")
        return redirect(f"/users/{request.user.username}")
    form = CollectionForm(request.POST)
    if not form.is_valid():
        return _error(request, first_error(form), back)
    try:
        services.update_collection(
            request.user, collection, form.cleaned_data["name"], form.cleaned_data["is_public"]
        )
    except services.CommunityError as error:
        return _error(request, str(error), back)
    messages.success(request, "Collection saved.")
    return redirect(back)


# --- trending -------------------------------------------------------------------------


@require_GET
def trending(request: HttpRequest) -> HttpResponse:
    asked = request.GET.get("period")
    period = asked or "week"
    if period not in PERIODS:
        context = {"message": f"Unknown period '{period[:20]}': use today, week or month."}
        return render(request, "community/400.html", context, status=400)
    items = trending_papers(period)
    note = ""
    if not items and asked is None:
        # A quiet week (or an archive that stopped) should not greet visitors with nothing.
        period, items = "today", trending_papers("today")
        note = "Nothing was on the feed in the last 7 days, so this is the latest feed day."
    context = {
        "items": items,
        "note": note,
        "latest_date": None if items else latest_feed_date(),
        "period": period,
        "periods": PERIODS,
        "nav": "trending",
        "half_life": settings.TRENDING_HALF_LIFE_HOURS,
        "comment_weight": settings.TRENDING_COMMENT_WEIGHT,
    }
    return render(request, "community/trending.html", context)


@require_GET
def about_trending(request: HttpRequest) -> HttpResponse:
    context = {
        "half_life": settings.TRENDING_HALF_LIFE_HOURS,
        "comment_weight": settings.TRENDING_COMMENT_WEIGHT,
        "cache_seconds": settings.TRENDING_CACHE_SECONDS,
    }
    return render(request, "community/about_trending.html", context)
