"""Every email the digests app sends: each one is a subject, an HTML and a text template.

Templates live in ``digests/templates/digests/emails/<name>_subject.txt``, ``<name>.html``
and ``<name>.txt``. Links in emails are absolute (``settings.SITE_URL``). The digest's paper
list is rendered once per distinct list of papers (``DigestRenderer``) because thousands of
subscribers share it; only the personal links differ per message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from digests.models import Subscription
from digests.queries import DigestPlan
from digests.tokens import make_token
from papers.models import Paper

EXCERPT_WORDS = 70
SHOWN_AUTHORS = 6


def absolute(path: str) -> str:
    """``path`` on the public site (SITE_URL), for links that leave the browser: mail, feeds."""
    return f"{settings.SITE_URL}{path}"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def manage_url(subscription: Subscription) -> str:
    return absolute(reverse("digests:manage_token", args=[make_token(subscription, "manage")]))


def unsubscribe_url(subscription: Subscription) -> str:
    return absolute(reverse("digests:unsubscribe", args=[make_token(subscription, "manage")]))


def confirm_url(subscription: Subscription) -> str:
    return absolute(reverse("digests:confirm", args=[make_token(subscription, "confirm")]))


def build(
    name: str, context: dict[str, Any], to: str, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    """The email ``name`` rendered with ``context``: text body plus an HTML alternative."""
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    subject = render_to_string(f"digests/emails/{name}_subject.txt", context)
    text = render_to_string(f"digests/emails/{name}.txt", context)
    html = render_to_string(f"digests/emails/{name}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # a header must be one line
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


def confirmation_email(subscription: Subscription) -> EmailMultiAlternatives:
    """The double opt-in mail: one link that confirms the subscription."""
    context = {
        "subscription": subscription,
        "confirm_url": confirm_url(subscription),
        "valid_days": max(1, settings.DIGEST_CONFIRM_MAX_AGE_SECONDS // 86400),
    }
    return build("confirm", context, subscription.email, {"Auto-Submitted": "auto-generated"})


def excerpt(abstract: str, words: int = EXCERPT_WORDS) -> str:
    """The abstract's first paragraph, cut at a word boundary."""
    first = re.split(r"\n\s*\n", abstract.strip(), maxsplit=1)[0]
    return Truncator(" ".join(first.split())).words(words, truncate="…")


def author_line(paper: Paper) -> str:
    """Up to SHOWN_AUTHORS visible author names, then "and N more"."""
    names = [a.author.name for a in paper.authorships.all() if not a.hidden]
    if len(names) <= SHOWN_AUTHORS:
        return ", ".join(names)
    return f"{', '.join(names[:SHOWN_AUTHORS])} and {len(names) - SHOWN_AUTHORS} more"


def paper_context(paper: Paper) -> dict[str, Any]:
    return {
        "title": " ".join(paper.title.split()),
        "authors": author_line(paper),
        "excerpt": excerpt(paper.abstract),
        "upvotes": paper.upvotes,
        "url": absolute(paper.get_absolute_url()),
        "arxiv_url": paper.arxiv_url,
        "code_url": paper.github_repo,
        "organization": paper.organization.name if paper.organization else "",
    }


def digest_subject_date(plan: DigestPlan) -> str:
    return plan.date.strftime("%A, %B %-d, %Y")


@dataclass
class DigestRenderer:
    """Renders digest emails; the paper list is rendered once per distinct list of papers."""

    _blocks: dict[tuple[int, ...], tuple[SafeString, str]] = field(default_factory=dict)

    def paper_blocks(self, papers: list[Paper]) -> tuple[SafeString, str]:
        key = tuple(p.pk for p in papers)
        if key not in self._blocks:
            context = {"papers": [paper_context(p) for p in papers]}
            html = render_to_string("digests/emails/_papers.html", context)
            text = render_to_string("digests/emails/_papers.txt", context)
            self._blocks[key] = (mark_safe(html), text)  # our own template's output
        return self._blocks[key]

    def message(
        self, subscription: Subscription, plan: DigestPlan, message_key: str
    ) -> EmailMultiAlternatives:
        """The digest for ``subscription``; ``message_key`` makes a stable Message-ID."""
        papers_html, papers_text = self.paper_blocks(plan.papers)
        unsubscribe = unsubscribe_url(subscription)
        context = {
            "plan": plan,
            "date_label": digest_subject_date(plan),
            "papers_html": papers_html,
            "papers_text": papers_text,
            "count": len(plan.papers),
            "topic": subscription.topic,
            "manage_url": manage_url(subscription),
            "unsubscribe_url": unsubscribe,
            "feed_url": absolute("/papers"),
        }
        headers = _digest_headers(unsubscribe, message_key)
        return build("digest", context, subscription.email, headers)


def _digest_headers(unsubscribe: str, message_key: str) -> dict[str, str]:
    targets = [f"<{unsubscribe}>"]
    if settings.DIGEST_UNSUBSCRIBE_MAILTO:
        targets.append(f"<mailto:{settings.DIGEST_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
    host = site_host()
    safe_key = re.sub(r"[^A-Za-z0-9.-]", ".", message_key)
    return {
        "List-Unsubscribe": ", ".join(targets),
        # RFC 8058: mail clients may POST "List-Unsubscribe=One-Click" to the https URL.
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{settings.SITE_NAME} digest <digest.{host}>",
        "Auto-Submitted": "auto-generated",
        # Stable per delivery: if a crash makes us send a digest twice (at-least-once),
        # receiving systems can recognise the duplicate.
        "Message-ID": f"<digest.{safe_key}@{host}>",
    }
