"""Reads for the API app."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Max, QuerySet

from api.models import ApiToken, hash_token
from community.models import Comment, Vote
from digests.models import Subscription


def token_by_secret(secret: str) -> ApiToken | None:
    """The token whose secret is ``secret`` (revoked ones included), with its user."""
    return ApiToken.objects.select_related("user").filter(token_hash=hash_token(secret)).first()


def tokens_of(user: AbstractBaseUser) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def subscriptions_of(user: AbstractBaseUser) -> QuerySet[Subscription]:
    return Subscription.objects.filter(user=user).order_by("created_at")


def latest_activity(paper_ids: list[int]) -> dt.datetime | None:
    """The newest vote or comment event on these papers (counters move with ``F()`` updates,
    which do not touch ``Paper.updated_at``, so Last-Modified must look here too)."""
    if not paper_ids:
        return None
    votes = Vote.objects.filter(paper_id__in=paper_ids).aggregate(at=Max("created_at"))["at"]
    comments = Comment.objects.filter(paper_id__in=paper_ids).aggregate(
        created=Max("created_at"), edited=Max("edited_at"), deleted=Max("deleted_at")
    )
    stamps = [votes, *comments.values()]
    return max((s for s in stamps if s is not None), default=None)
