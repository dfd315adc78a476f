"""Read-only community queries shared by pages, template tags, admin and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest

from community.models import (
    AuthorshipClaim,
    Collection,
    CollectionItem,
    Comment,
    PendingSubmission,
    VerifiedEmail,
    Vote,
)
from community.permissions import is_curator
from papers.cards import PaperCard, cards_in_order
from papers.models import DailyEntry, Paper, PaperAuthor

PROFILE_LIST_LIMIT = 50


def voted_paper_ids(request: HttpRequest | None) -> set[int]:
    """Ids of the papers the request's user upvoted: one query per request, then cached."""
    if request is None or not request.user.is_authenticated:
        return set()
    cached = getattr(request, "_voted_paper_ids", None)
    if cached is None:
        cached = set(Vote.objects.filter(user=request.user).values_list("paper_id", flat=True))
        request._voted_paper_ids = cached
    return cached


def has_voted(user: Any, paper: Paper) -> bool:
    return user.is_authenticated and Vote.objects.filter(user=user, paper=paper).exists()


def paper_comments(paper: Paper | PaperCard) -> list[Comment]:
    """Top-level comments with their replies, oldest first (2 queries).

    Deleted or hidden comments stay in the list as placeholders when they have replies,
    so a conversation keeps its shape; the template shows their text only when visible.
    """
    replies = Comment.objects.select_related("author").order_by("created_at", "id")
    top = (
        Comment.objects.filter(paper_id=paper.pk, parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )
    return [c for c in top if c.is_visible or any(r.is_visible for r in c.replies.all())]


def comment_by_id(comment_id: int) -> Comment | None:
    return Comment.objects.select_related("author", "paper", "parent").filter(pk=comment_id).first()


def pending_claims(paper: Paper) -> list[AuthorshipClaim]:
    return list(
        AuthorshipClaim.objects.filter(
            authorship__paper=paper, status=AuthorshipClaim.Status.PENDING
        ).select_related("user", "authorship__author")
    )


def user_claims_on(user: Any, paper: Paper) -> list[AuthorshipClaim]:
    if not user.is_authenticated:
        return []
    return list(
        AuthorshipClaim.objects.filter(user=user, authorship__paper=paper).select_related(
            "authorship__author"
        )
    )


def claimable_authorships(paper: Paper) -> list[PaperAuthor]:
    return list(
        PaperAuthor.objects.filter(paper=paper, claimed_by__isnull=True)
        .select_related("author")
        .order_by("position")
    )


def paper_entries(paper: Paper) -> list[DailyEntry]:
    """Every feed appearance of a paper (including hidden ones), newest first — for curators."""
    return list(DailyEntry.objects.filter(paper=paper).order_by("-date"))


def collections_with_paper(user: Any, paper: Paper) -> list[tuple[Collection, bool]]:
    """The user's collections, each with whether it contains ``paper``."""
    if not user.is_authenticated:
        return []
    collections = list(
        Collection.objects.select_related("owner").filter(owner=user).order_by("name")
    )
    containing = set(
        Collection.objects.filter(owner=user, items__paper=paper).values_list("pk", flat=True)
    )
    return [(c, c.pk in containing) for c in collections]


def visible_collection(collection_id: int, viewer: Any) -> Collection | None:
    """The collection if ``viewer`` may see it (public, or their own), else None."""
    collection = Collection.objects.select_related("owner").filter(pk=collection_id).first()
    if collection is None:
        return None
    if collection.is_public or (viewer.is_authenticated and collection.owner_id == viewer.pk):
        return collection
    return None


def may_edit_links(user: Any, paper: Paper) -> bool:
    """Whether ``user`` may set the paper's GitHub repository and project page: a curator,
    an author who claimed the paper, or someone who put it on the feed."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if is_curator(user):
        return True
    return (
        paper.authorships.filter(claimed_by=user).exists()
        or DailyEntry.objects.filter(paper=paper, submitted_by=user).exists()
    )


def visible_collections(viewer: Any) -> QuerySet[Collection]:
    """Every collection ``viewer`` may see: the public ones and their own."""
    shown = Q(is_public=True)
    if viewer.is_authenticated:
        shown |= Q(owner=viewer)
    return Collection.objects.select_related("owner").filter(shown)


def collection_items(collection: Collection, limit: int | None = None) -> list[CollectionItem]:
    """The items of ``collection`` in their order, with their papers (one query)."""
    items = collection.items.select_related("paper").order_by("position", "id")
    return list(items[:limit] if limit is not None else items)


def items_of_collections(collection_ids: list[int]) -> dict[int, list[CollectionItem]]:
    """Every item of these collections in order, by collection id (one query)."""
    by_collection: dict[int, list[CollectionItem]] = {pk: [] for pk in collection_ids}
    items = CollectionItem.objects.select_related("paper").filter(collection_id__in=collection_ids)
    for item in items.order_by("collection_id", "position", "id"):
        by_collection[item.collection_id].append(item)
    return by_collection


def collection_item(collection: Collection, item_id: int) -> CollectionItem | None:
    return collection.items.select_related("paper").filter(pk=item_id).first()


def collection_papers(collection: Collection) -> list[PaperCard]:
    """The collection's papers with card data, most recently added first (3 queries)."""
    ids = list(collection.items.order_by("-added_at", "-id").values_list("paper_id", flat=True))
    return cards_in_order(ids)


@dataclass
class Profile:
    person: Any
    submissions: list[DailyEntry] = field(default_factory=list)
    upvoted: list[Paper] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    claimed: list[PaperAuthor] = field(default_factory=list)
    orcid: str = ""
    collections: list[Collection] = field(default_factory=list)
    pending: list[PendingSubmission] = field(default_factory=list)
    claims: list[AuthorshipClaim] = field(default_factory=list)


def profile(username: str, viewer: Any) -> Profile | None:
    """What a profile page shows; banned users' profiles are visible only to curators."""
    person = get_user_model().objects.filter(username=username).first()
    if person is None or (not person.is_active and not is_curator(viewer)):
        return None
    own = viewer.is_authenticated and viewer.pk == person.pk
    result = Profile(person=person)
    result.submissions = list(
        DailyEntry.objects.filter(submitted_by=person, hidden=False)
        .select_related("paper")
        .order_by("-date")[:PROFILE_LIST_LIMIT]
    )
    result.upvoted = [
        v.paper
        for v in Vote.objects.filter(user=person)
        .select_related("paper")
        .order_by("-created_at")[:PROFILE_LIST_LIMIT]
    ]
    result.comments = list(
        Comment.objects.filter(author=person, hidden=False, deleted_at__isnull=True)
        .select_related("paper")
        .order_by("-created_at")[:PROFILE_LIST_LIMIT]
    )
    result.claimed = list(
        PaperAuthor.objects.filter(claimed_by=person).select_related("paper", "author")
    )
    approved = AuthorshipClaim.objects.filter(
        user=person, status=AuthorshipClaim.Status.APPROVED
    ).exclude(orcid="")
    result.orcid = approved.values_list("orcid", flat=True).first() or ""
    collections = Collection.objects.select_related("owner").filter(owner=person)
    if not own:
        collections = collections.filter(is_public=True)
    result.collections = list(collections.order_by("name"))
    if own:
        result.pending = list(
            PendingSubmission.objects.filter(user=person).exclude(
                status=PendingSubmission.Status.DONE
            )
        )
        result.claims = list(
            AuthorshipClaim.objects.filter(user=person).select_related(
                "authorship__author", "authorship__paper"
            )
        )
    return result


def email_verified(user: Any) -> bool:
    """Whether the account's current address is one its owner proved to receive."""
    if not user.is_authenticated or not user.email:
        return False
    return VerifiedEmail.objects.filter(user=user, email__iexact=user.email).exists()
