"""Subscribe, confirm, manage, preview and unsubscribe pages.

Links from emails carry a signed token (``digests.tokens``) so they work without logging
in. Links that change state show a button on GET and act on POST, because mail scanners
open links and other sites can make a logged-in browser open them (so linking a
subscription to the visitor's account is a CSRF-protected POST too); the unsubscribe URL
also accepts RFC 8058 one-click POSTs from mail clients (no CSRF token there: the signed
token is the authorisation).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from community.ratelimit import ratelimit
from digests import services
from digests.emails import DigestRenderer
from digests.models import Subscription
from digests.queries import (
    DigestPlan,
    DigestSource,
    plan_digest,
    preview_for,
    recent_deliveries,
    subscription_for_user,
)
from digests.services import SubscribeError
from digests.tokens import TokenError, make_token, read_token


def _problem(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    context = {"title": title, "message": message, "status": status}
    return render(request, "digests/problem.html", context, status=status)


def _token_problem(request: HttpRequest, error: TokenError) -> HttpResponse:
    return _problem(request, "This link does not work", error.message, error.status)


@require_http_methods(["GET", "POST"])
@ratelimit("digest_subscribe", by="ip")
def subscribe(request: HttpRequest) -> HttpResponse:
    """The subscribe form (GET; ``?email=`` from the feed's subscribe box fills it in) and
    its handling (POST): mails a confirmation link."""
    if request.method == "GET":
        email = request.GET.get("email", "")[:254] or _default_email(request)
        return render(request, "digests/subscribe.html", {"email": email})
    email = request.POST.get("email", "")
    try:
        options = services.parse_options(
            request.POST.get("frequency", "daily"),
            request.POST.get("size", "10"),
            request.POST.get("topic", ""),
        )
        subscription = services.subscribe(email, options)
    except SubscribeError as error:
        context = {"email": email, "error": error.message}
        return render(request, "digests/subscribe.html", context, status=error.status)
    return render(request, "digests/check_inbox.html", {"email": subscription.email})


def _default_email(request: HttpRequest) -> str:
    return request.user.email if request.user.is_authenticated else ""


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Double opt-in: GET shows a button (mail scanners follow links), POST confirms."""
    try:
        subscription = read_token(token, "confirm")
    except TokenError as error:
        return _token_problem(request, error)
    if request.method == "GET":
        return render(request, "digests/confirm.html", {"subscription": subscription})
    if services.confirm(subscription):
        messages.success(request, f"Subscribed: {subscription.email} will get the digest.")
    else:
        messages.info(request, f"{subscription.email} was already subscribed.")
    services.link_user(subscription, request.user)
    return redirect("digests:manage_token", token=make_token(subscription, "manage"))


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """The logged-in user's subscription (linked from the profile page)."""
    subscription = subscription_for_user(request.user)
    if subscription is None:
        return render(request, "digests/subscribe.html", {"email": request.user.email})
    return _manage(request, subscription, reverse("digests:manage"))


@require_http_methods(["GET", "POST"])
def manage_token(request: HttpRequest, token: str) -> HttpResponse:
    """The same page reached from the link in every digest, without logging in."""
    try:
        subscription = read_token(token, "manage")
    except TokenError as error:
        return _token_problem(request, error)
    return _manage(request, subscription, request.path, token)


def _manage(
    request: HttpRequest, subscription: Subscription, here: str, token: str = ""
) -> HttpResponse:
    status = 200
    error = ""
    if request.method == "POST":
        try:
            _apply_action(request, subscription)
            return redirect(here)
        except SubscribeError as exc:
            error, status = exc.message, exc.status
    context = {
        "subscription": subscription,
        "token": token or make_token(subscription, "manage"),
        "error": error,
        "deliveries": recent_deliveries(subscription),
        "frequencies": Subscription.Frequency.choices,
        "form": request.POST if error else None,
    }
    return render(request, "digests/manage.html", context, status=status)


def _apply_action(request: HttpRequest, subscription: Subscription) -> None:
    action = request.POST.get("action", "save")
    if action == "unsubscribe":
        services.unsubscribe(subscription)
        messages.success(request, "Unsubscribed. No more digests will be sent.")
    elif action == "link" and request.user.is_authenticated:
        # An explicit, CSRF-protected POST: opening the link (or a page embedding it) while
        # logged in changes nothing.
        services.link_user(subscription, request.user)
        messages.success(request, f"This digest is now on your account {request.user.username}.")
    elif action == "resubscribe" and subscription.confirmed:
        services.resubscribe(subscription)
        messages.success(request, "Welcome back: your digest is active again.")
    elif action == "save":
        options = services.parse_options(
            request.POST.get("frequency", ""),
            request.POST.get("size", ""),
            request.POST.get("topic", ""),
        )
        services.update_options(subscription, options)
        messages.success(request, "Saved.")
    else:
        raise SubscribeError("Unknown action.")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a confirmation button. POST (the button or RFC 8058 one-click): unsubscribe."""
    try:
        subscription = read_token(token, "manage")
    except TokenError as error:
        return _token_problem(request, error)
    if request.method == "GET":
        return render(request, "digests/unsubscribe.html", {"subscription": subscription})
    changed = services.unsubscribe(subscription)
    context = {"subscription": subscription, "done": True, "changed": changed}
    context["token"] = make_token(subscription, "manage")
    return render(request, "digests/unsubscribe.html", context)


@require_http_methods(["GET"])
def preview(request: HttpRequest) -> HttpResponse:
    """The next digest for given options (or the logged-in subscriber's own), with reasons."""
    own = subscription_for_user(request.user) if request.user.is_authenticated else None
    if own is not None and own.is_active and not request.GET:
        return _render_preview(request, preview_for(own), own)
    try:
        options = services.parse_options(
            request.GET.get("frequency", "daily"),
            request.GET.get("size", "10"),
            request.GET.get("topic", ""),
        )
    except SubscribeError as error:
        return _problem(request, "Cannot preview this digest", error.message, 400)
    source = DigestSource(options.frequency, timezone.now())
    plan = plan_digest(source, options.frequency, options.size, options.topic)
    return _render_preview(request, plan, None, options)


@require_http_methods(["GET"])
def preview_token(request: HttpRequest, token: str) -> HttpResponse:
    """A subscriber's own next digest (papers already sent to them are left out)."""
    try:
        subscription = read_token(token, "manage")
    except TokenError as error:
        return _token_problem(request, error)
    return _render_preview(request, preview_for(subscription), subscription)


def _render_preview(
    request: HttpRequest,
    plan: DigestPlan,
    subscription: Subscription | None,
    options: services.Options | None = None,
) -> HttpResponse:
    papers_html, _ = DigestRenderer().paper_blocks(plan.papers)
    context = {
        "plan": plan,
        "papers_html": papers_html,
        "subscription": subscription,
        "options": options or services.Options(),
        "frequencies": Subscription.Frequency.choices,
    }
    return render(request, "digests/preview.html", context)
