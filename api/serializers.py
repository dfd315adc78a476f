"""JSON for our own API objects (comments, collections, subscriptions). HF-shaped papers
come from ``papers.serializers``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from community.models import Collection, Comment
from digests.models import Subscription
from papers.serializers import avatar_url, iso


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "name": user.username,
        "fullname": user.get_full_name() or user.username,
        "avatarUrl": avatar_url(user.username),
    }


def comment_json(comment: Comment, replies: list[dict[str, Any]] | None = None) -> dict:
    """A comment; removed ones keep their place in the thread but lose text and author."""
    visible = comment.is_visible
    data: dict[str, Any] = {
        "id": comment.pk,
        "parentId": comment.parent_id,
        "author": _person(comment.author) if visible else None,
        "body": comment.body if visible else None,
        "bodyHtml": comment.body_html if visible else None,
        "createdAt": iso(comment.created_at),
        "editedAt": iso(comment.edited_at),
        "removed": not visible,
    }
    if replies is not None:
        data["replies"] = replies
    return data


def comments_json(comments: list[Comment]) -> list[dict[str, Any]]:
    """Top-level comments with their replies nested (as ``community.queries`` returns them)."""
    return [
        comment_json(c, [comment_json(r) for r in c.replies.all() if r.is_visible])
        for c in comments
    ]


def collection_json(collection: Collection, papers: list[dict] | None = None) -> dict:
    data: dict[str, Any] = {
        "id": collection.pk,
        "name": collection.name,
        "isPublic": collection.is_public,
        "owner": collection.owner.username,
        "createdAt": iso(collection.created_at),
        "numPapers": getattr(collection, "num_papers", None) or collection.items.count(),
        "url": settings.SITE_URL + reverse("community:collection", args=[collection.pk]),
    }
    if papers is not None:
        data["papers"] = papers
    return data


def subscription_json(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": subscription.pk,
        "email": subscription.email,
        "frequency": subscription.frequency,
        "size": subscription.size,
        "topic": subscription.topic,
        "confirmed": subscription.confirmed,
        "active": subscription.confirmed and subscription.unsubscribed_at is None,
        "createdAt": iso(subscription.created_at),
    }
