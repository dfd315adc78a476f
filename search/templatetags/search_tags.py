"""Template tags for search features on other apps' pages.

Stub until the Search issue fills it in: the paper page calls ``{% similar_papers paper %}``.
"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def similar_papers(context, paper) -> str:
    return ""
