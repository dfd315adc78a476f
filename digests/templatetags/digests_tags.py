"""Template tags for digest features on other apps' pages.

The feed page calls ``{% subscribe_box %}``: "Get trending papers in your email inbox" with
a Subscribe form, or, for a logged-in subscriber, links to manage and preview the digest.
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from digests.queries import subscription_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def subscribe_box(context: template.Context) -> SafeString:
    """The subscribe form (or the subscriber's status) for the feed header."""
    request = context.get("request")
    user = getattr(request, "user", None)
    subscription = None
    email = ""
    if user is not None and user.is_authenticated:
        subscription = subscription_for_user(user)
        email = user.email
    box_context = {"subscription": subscription, "email": email}
    return render_to_string("digests/_subscribe_box.html", box_context, request=request)
