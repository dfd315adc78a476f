"""Template tags for digest features on other apps' pages.

Stub until the Digests issue fills it in: the feed page calls ``{% subscribe_box %}``.
"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def subscribe_box(context) -> str:
    return ""
