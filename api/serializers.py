"""JSON for our own API objects (comments, collections, subscriptions). HF-shaped papers
come from ``papers.serializers``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.html import escape

from community.models import Collection, CollectionItem, Comment
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


def collection_item_json(item: CollectionItem) -> dict[str, Any]:
    """One item of a collection in HF's shape (``_id`` is what the client's
    ``update_collection_item`` / ``delete_collection_item`` take)."""
    paper = item.paper
    data: dict[str, Any] = {
        "_id": str(item.pk),
        "position": item.position,
        "type": "paper",
        "id": paper.arxiv_id,
        "title": paper.title,
        "publishedAt": iso(paper.published_at),
        "upvotes": paper.upvotes,
        "numComments": paper.num_comments,
        "thumbnailUrl": paper.thumbnail
        or f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{paper.arxiv_id}.png",
    }
    if item.note:
        data["note"] = {"text": item.note, "html": escape(item.note)}
    return data


def collection_json(
    collection: Collection,
    items: list[CollectionItem] | None = None,
    papers: list[dict] | None = None,
    position: int | None = 0,
    num_papers: int | None = None,
) -> dict[str, Any]:
    """A collection in HF's shape (what ``huggingface_hub.Collection`` reads), plus the keys
    of the first version of this API (``id``, ``name``, ``isPublic``, ``numPapers``, ...)."""
    data: dict[str, Any] = {
        "slug": collection.slug,
        "title": collection.name,
        "description": collection.description,
        "owner": collection.owner.username,
        "items": [collection_item_json(i) for i in items or []],
        "lastUpdated": iso(collection.updated_at),
        "private": not collection.is_public,
        "theme": collection.theme,
        "upvotes": 0,
        "id": collection.pk,
        "name": collection.name,
        "isPublic": collection.is_public,
        "createdAt": iso(collection.created_at),
        "numPapers": collection.items.count() if num_papers is None else num_papers,
        "url": settings.SITE_URL + collection.get_absolute_url(),
    }
    if position is not None:  # HF lists collections without it (the client numbers them)
        data["position"] = position
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
