"""Template tags the paper pages and cards use for community features.

Stubs until the Community issue fills them in: the papers app's templates call
``{% upvote_button paper %}`` on every card and ``{% paper_community paper %}`` on
the paper page.
"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def upvote_button(context, paper) -> str:
    return ""


@register.simple_tag(takes_context=True)
def paper_community(context, paper) -> str:
    return ""
