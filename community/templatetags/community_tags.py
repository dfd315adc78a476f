"""Template tags the paper pages and cards use for community features.

``{% upvote_button paper %}`` is called on every card, so it must not query per card: the
set of papers the user voted for is read once per request (``queries.voted_paper_ids``).
``{% paper_community paper %}`` renders the paper page's community section.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from community import queries
from community.permissions import is_curator
from community.trending import paper_trending
from papers.models import Paper

register = template.Library()


def _request(context: template.Context) -> Any:
    return context.get("request")


@register.simple_tag(takes_context=True)
def upvote_button(context: template.Context, paper: Paper) -> SafeString:
    """An upvote toggle with the paper's count (a login link for anonymous visitors)."""
    request = _request(context)
    voted = paper.pk in queries.voted_paper_ids(request)
    return render_to_string(
        "community/_upvote.html",
        {"paper": paper, "voted": voted, "next": request.get_full_path() if request else ""},
        request=request,
    )


@register.simple_tag(takes_context=True)
def paper_community(context: template.Context, paper: Paper) -> SafeString:
    """The paper page's community section: discussion, claims, collections, curation."""
    request = _request(context)
    return render_to_string(
        "community/_paper_community.html", paper_community_context(request, paper), request=request
    )


def paper_community_context(request: Any, paper: Paper) -> dict[str, Any]:
    """Everything the community section of a paper page shows (also used by htmx swaps)."""
    user = request.user
    curator = is_curator(user)
    return {
        "paper": paper,
        "comments": queries.paper_comments(paper),
        "is_curator": curator,
        "trending": paper_trending(paper),
        "claimable": queries.claimable_authorships(paper) if user.is_authenticated else [],
        "my_claims": queries.user_claims_on(user, paper),
        "may_edit_links": queries.may_edit_links(user, paper),
        "collections": queries.collections_with_paper(user, paper),
        "entries": queries.paper_entries(paper) if curator else [],
        "pending_claims": queries.pending_claims(paper) if curator else [],
        "next": request.get_full_path(),
    }


@register.filter
def display_name(user: Any) -> str:
    """A user's chosen display name, else their username (autoescaped by the template)."""
    if user is None:
        return ""
    return user.first_name or user.username
