"""Every email the digests app sends: each one is a subject, an HTML and a text template.

Templates live in ``digests/templates/digests/emails/<name>_subject.txt``, ``<name>.html``
and ``<name>.txt``. Links in emails are absolute (``settings.SITE_URL``). The digest's paper
list is rendered once per distinct list of papers (``DigestRenderer``) because thousands of
subscribers share it; only the personal links differ per message.
"""

from __future__ import annotations

import functools
import re
import secrets
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
from papers.cards import PaperCard

EXCERPT_WORDS = 70
SHOWN_AUTHORS = 6


def absolute(path: str) -> str:
    """``path`` on the public site (SITE_URL), for links that leave the browser: mail, feeds."""
    return f"{settings.SITE_URL}{path}"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


@functools.cache
def _path_template(view: str) -> str:
    # reverse() once per view; links differ only by token (URL-safe: no escaping needed).
    return reverse(view, args=["TOKEN"]).replace("TOKEN", "{}")


def _link(view: str, token: str) -> str:
    return absolute(_path_template(view).format(token))


def manage_url(subscription: Subscription) -> str:
    return _link("digests:manage_token", make_token(subscription, "manage"))


def unsubscribe_url(subscription: Subscription) -> str:
    return _link("digests:unsubscribe", make_token(subscription, "manage"))


def confirm_url(subscription: Subscription) -> str:
    return _link("digests:confirm", make_token(subscription, "confirm"))


def render_parts(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject (one line), text and HTML of the email ``name``."""
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    subject = render_to_string(f"digests/emails/{name}_subject.txt", context)
    text = render_to_string(f"digests/emails/{name}.txt", context)
    html = render_to_string(f"digests/emails/{name}.html", context)
    return " ".join(subject.split()), text, html  # a header must be one line


def make_email(
    parts: tuple[str, str, str], to: str, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    subject, text, html = parts
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


def build(
    name: str, context: dict[str, Any], to: str, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    """The email ``name`` rendered with ``context``: text body plus an HTML alternative."""
    return make_email(render_parts(name, context), to, headers)


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


def author_line(paper: PaperCard) -> str:
    """Up to SHOWN_AUTHORS visible author names, then "and N more"."""
    names = [a.author.name for a in paper.authorships if not a.hidden]
    if len(names) <= SHOWN_AUTHORS:
        return ", ".join(names)
    return f"{', '.join(names[:SHOWN_AUTHORS])} and {len(names) - SHOWN_AUTHORS} more"


def paper_context(paper: PaperCard) -> dict[str, Any]:
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
    """Renders digest emails fast enough for thousands of subscribers per run.

    The paper list, and then the whole email around it, is rendered once per distinct
    (papers, frequency, date, topic) with placeholder links; each subscriber's message only
    substitutes their own signed manage and unsubscribe links into it.
    """

    _blocks: dict[tuple[int, ...], tuple[SafeString, str]] = field(default_factory=dict)
    _shells: dict[tuple, tuple[str, str, str]] = field(default_factory=dict)
    _marker: str = field(default_factory=lambda: f"digest-link-{secrets.token_hex(8)}")

    def paper_blocks(self, papers: list[PaperCard]) -> tuple[SafeString, str]:
        key = tuple(p.pk for p in papers)
        if key not in self._blocks:
            context = {"papers": [paper_context(p) for p in papers]}
            html = render_to_string("digests/emails/_papers.html", context)
            text = render_to_string("digests/emails/_papers.txt", context)
            self._blocks[key] = (mark_safe(html), text)  # our own template's output
        return self._blocks[key]

    def _shell(self, plan: DigestPlan, topic: str) -> tuple[str, str, str]:
        key = (tuple(p.pk for p in plan.papers), plan.frequency, plan.date, topic)
        if key not in self._shells:
            papers_html, papers_text = self.paper_blocks(plan.papers)
            context = {
                "plan": plan,
                "date_label": digest_subject_date(plan),
                "papers_html": papers_html,
                "papers_text": papers_text,
                "count": len(plan.papers),
                "topic": topic,
                "manage_url": f"{self._marker}-manage",
                "unsubscribe_url": f"{self._marker}-unsubscribe",
                "feed_url": absolute("/papers"),
            }
            self._shells[key] = render_parts("digest", context)
        return self._shells[key]

    def message(
        self, subscription: Subscription, plan: DigestPlan, message_key: str
    ) -> EmailMultiAlternatives:
        """The digest for ``subscription``; ``message_key`` makes a stable Message-ID."""
        subject, text, html = self._shell(plan, subscription.topic)
        unsubscribe = unsubscribe_url(subscription)
        links = {f"{self._marker}-manage": manage_url(subscription)}
        links[f"{self._marker}-unsubscribe"] = unsubscribe
        for marker, url in links.items():
            text, html = text.replace(marker, url), html.replace(marker, url)
        headers = _digest_headers(unsubscribe, message_key)
        return make_email((subject, text, html), subscription.email, headers)


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
