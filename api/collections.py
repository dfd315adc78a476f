"""Collections under /api/collections, as Hugging Face's collections API.

The ``huggingface_hub`` client's collection methods (``list_collections``,
``get_collection``, ``create_collection``, ``update_collection_metadata``,
``delete_collection``, ``add_collection_item``, ``update_collection_item``,
``delete_collection_item``) work against these routes unchanged. A collection is addressed
by HF's slug, ``owner/title-slug-<id>``; only the id identifies it, so a renamed collection
still answers at its old slug (as on HF). Collections hold papers only: other item types
(models, datasets, Spaces, ...) get a 400.

The routes by numeric id (``/api/collections/<id>``, ``.../papers``) are kept for clients of
the first version of this API. Writes go through ``community.services``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from api.auth import token_or_session
from api.community import AUTH_ERRORS, community_call, optional_user
from api.papers import paper_or_error
from api.schemas import CleanStr, Error, Ok
from api.serializers import collection_json
from community import queries, services
from community.models import Collection, CollectionItem
from papers.serializers import hf_paper

router = Router(tags=["collections"])
# Registered before ``router``: ``/collections/<id>/papers`` has the shape of a slug.
legacy_router = Router(tags=["collections"])

LIST_LIMIT = 100
LISTED_ITEMS = 4  # HF truncates the items of listed collections to 4
SLUG_ID = re.compile(r"^(?:.*-)?(\d{1,18})$")
SORTS = {"lastModified": "-updated_at", "trending": "-updated_at", "upvotes": "-updated_at"}
CONFLICT = {409: dict[str, Any]}  # {"error": ..., "slug": ...} for collections
# Query parameters that may repeat (list-typed defaults live here, not in the signature).
OWNER_FILTER = Query(None, description="Only collections of this username (may repeat)")
ITEM_FILTER = Query(None, description="Only collections holding `papers/<arxiv id>`")


# --- the first version's routes, by numeric id -----------------------------------------


class CollectionPaperIn(Schema):
    arxivId: str = Field(min_length=1, max_length=300, examples=["2502.04507"])


def _own_by_id(request: HttpRequest, collection_id: int) -> Collection:
    collection = queries.visible_collection(collection_id, request.auth)
    if collection is None or collection.owner_id != request.auth.pk:
        raise Http404(f"You have no collection {collection_id}.")
    return collection


@legacy_router.get(
    "/collections/{int:collection_id}",
    response={200: dict[str, Any], 404: Error},
    summary="A public collection (or one of yours) with its papers, by id",
)
def collection_by_id(request: HttpRequest, collection_id: int) -> dict[str, Any]:
    collection = queries.visible_collection(collection_id, optional_user(request))
    if collection is None:
        raise Http404(f"There is no collection {collection_id} you can see.")
    papers = [hf_paper(p) for p in queries.collection_papers(collection)]
    return collection_json(collection, queries.collection_items(collection), papers=papers)


@legacy_router.post(
    "/collections/{int:collection_id}/papers",
    auth=token_or_session,
    response={200: dict[str, Any], **AUTH_ERRORS},
    summary="Add a paper to one of your collections, by id (idempotent)",
)
def add_paper(request: HttpRequest, collection_id: int, data: CollectionPaperIn) -> dict:
    collection = _own_by_id(request, collection_id)
    paper = paper_or_error(data.arxivId)
    community_call(lambda: services.add_to_collection(request.auth, paper, collection))
    return collection_json(collection)


@legacy_router.delete(
    "/collections/{int:collection_id}/papers/{path:arxiv_id}",
    auth=token_or_session,
    response={200: dict[str, Any], **AUTH_ERRORS},
    summary="Remove a paper from one of your collections, by id",
)
def remove_paper(request: HttpRequest, collection_id: int, arxiv_id: str) -> dict[str, Any]:
    collection = _own_by_id(request, collection_id)
    paper = paper_or_error(arxiv_id)
    community_call(lambda: services.remove_from_collection(request.auth, paper, collection))
    return collection_json(collection)


@legacy_router.delete(
    "/collections/{int:collection_id}",
    auth=token_or_session,
    response={200: Ok, **AUTH_ERRORS},
    summary="Delete one of your collections, by id",
)
def remove_collection(request: HttpRequest, collection_id: int) -> dict[str, bool]:
    collection = _own_by_id(request, collection_id)
    community_call(lambda: services.delete_collection(request.auth, collection))
    return {"ok": True}


# --- reading --------------------------------------------------------------------------


def _by_slug(request: HttpRequest, owner: str, title: str) -> Collection:
    """The collection at ``owner/title`` that the caller may see, else 404."""
    match = SLUG_ID.match(title)
    collection = (
        queries.visible_collection(int(match[1]), optional_user(request)) if match else None
    )
    if collection is None or collection.owner.username != owner:
        raise Http404(f"There is no collection {owner}/{title} you can see.")
    return collection


def _own_by_slug(request: HttpRequest, owner: str, title: str) -> Collection:
    collection = _by_slug(request, owner, title)
    if collection.owner_id != request.auth.pk:
        raise HttpError(403, "This collection is not yours.")
    return collection


def _listed(request: HttpRequest, owner: list[str], item: list[str]) -> Any:
    collections = queries.visible_collections(optional_user(request))
    if owner:
        collections = collections.filter(owner__username__in=owner)
    for wanted in item:
        kind, _, arxiv_id = wanted.partition("/")
        if kind != "papers" or not arxiv_id:
            return collections.none()  # only papers can be in a collection here
        collections = collections.filter(items__paper__arxiv_id=arxiv_id)
    return collections.distinct()


@router.get(
    "/collections",
    response={200: list[dict[str, Any]], 400: Error, 401: Error},
    summary="List collections (Hugging Face compatible)",
    description="Public collections and, for a signed-in caller, their own private ones. "
    "`owner` and `item` (`papers/<arxiv id>`) may repeat; `sort` is `lastModified` "
    "(default), `trending` or `upvotes` (collections have no upvotes here, so all three "
    "list the most recently changed first); `limit` is 1-100 (default 100). Each "
    "collection lists its first 4 items, as on HF; `get_collection` has them all.",
)
def list_collections(
    request: HttpRequest,
    owner: list[CleanStr] | None = OWNER_FILTER,
    item: list[CleanStr] | None = ITEM_FILTER,
    sort: Literal["lastModified", "trending", "upvotes"] = "lastModified",
    limit: int = Query(LIST_LIMIT, ge=1, le=LIST_LIMIT),
) -> list[dict[str, Any]]:
    collections = list(
        _listed(request, owner or [], item or []).order_by(SORTS[sort], "-id")[:limit]
    )
    items = queries.items_of_collections([c.pk for c in collections])
    return [
        collection_json(c, items[c.pk][:LISTED_ITEMS], position=None, num_papers=len(items[c.pk]))
        for c in collections
    ]


@router.get(
    "/collections/{owner}/{title}",
    response={200: dict[str, Any], 401: Error, 404: Error},
    summary="A collection by slug, with all its items",
)
def get_collection(request: HttpRequest, owner: str, title: str) -> dict[str, Any]:
    collection = _by_slug(request, owner, title)
    return collection_json(collection, queries.collection_items(collection))


# --- collection writes ----------------------------------------------------------------


class CollectionIn(Schema):
    title: CleanStr | None = Field(None, min_length=1, max_length=200, description="HF's name")
    name: CleanStr | None = Field(None, min_length=1, max_length=200, description="Same as title")
    namespace: str | None = Field(None, max_length=150, description="Your username")
    description: CleanStr = Field("", max_length=150)
    private: bool | None = Field(None, description="HF's flag; default false (public)")
    isPublic: bool | None = Field(None, description="Same, inverted; default false")


def _public(data: CollectionIn) -> bool:
    if data.private is not None:
        return not data.private
    return bool(data.isPublic)


@router.post(
    "/collections",
    auth=token_or_session,
    response={201: dict[str, Any], **AUTH_ERRORS, **CONFLICT},
    summary="Create a collection",
    description="HF's body (`title`, `namespace`, `description`, `private`) or the first "
    "version's (`name`, `isPublic`). A title you already use is a 409 whose body carries "
    "the existing collection's `slug` (the client's `exists_ok`).",
)
def create_collection(request: HttpRequest, data: CollectionIn) -> Status:
    title = data.title or data.name
    if not title:
        raise HttpError(400, "Give the collection a title.")
    if data.namespace not in (None, request.auth.username):
        raise HttpError(
            403,
            f"You can create collections only in your namespace, not in "
            f"{data.namespace!r}: organizations have no collections here.",
        )
    try:
        collection = community_call(
            lambda: services.create_collection(request.auth, title, _public(data), data.description)
        )
    except services.AlreadyExists as exc:
        return Status(409, {"error": str(exc), "slug": exc.existing.slug})
    return Status(201, collection_json(collection, []))


class CollectionPatch(Schema):
    title: CleanStr | None = Field(None, min_length=1, max_length=200)
    description: CleanStr | None = Field(None, max_length=150)
    private: bool | None = None
    theme: CleanStr | None = Field(None, max_length=20)
    position: int | None = Field(None, ge=0, description="Accepted; collections keep no order")


@router.patch(
    "/collections/{owner}/{title}",
    auth=token_or_session,
    response={200: dict[str, Any], **AUTH_ERRORS},
    summary="Change a collection's title, description, visibility or theme",
)
def update_collection(
    request: HttpRequest, owner: str, title: str, data: CollectionPatch
) -> dict[str, Any]:
    collection = _own_by_slug(request, owner, title)
    is_public = None if data.private is None else not data.private
    community_call(
        lambda: services.update_collection(
            request.auth, collection, data.title, is_public, data.description, data.theme
        )
    )
    return {
        "success": True,
        "data": collection_json(collection, queries.collection_items(collection)),
    }


@router.delete(
    "/collections/{owner}/{title}",
    auth=token_or_session,
    response={200: Ok, **AUTH_ERRORS},
    summary="Delete a collection",
)
def delete_collection(request: HttpRequest, owner: str, title: str) -> dict[str, bool]:
    collection = _own_by_slug(request, owner, title)
    community_call(lambda: services.delete_collection(request.auth, collection))
    return {"ok": True}


# --- items ----------------------------------------------------------------------------


class ItemRef(Schema):
    id: str = Field(
        min_length=1, max_length=300, description="An arXiv id", examples=["2502.04507"]
    )
    type: str = Field(description="Only `paper`")


class ItemIn(Schema):
    item: ItemRef
    note: CleanStr = Field("", max_length=500)


@router.post(
    "/collections/{owner}/{title}/items",
    auth=token_or_session,
    response={200: dict[str, Any], **AUTH_ERRORS, **CONFLICT},
    summary="Add a paper to a collection",
    description="`item.type` must be `paper`. A paper already in the collection is a 409.",
)
def add_item(request: HttpRequest, owner: str, title: str, data: ItemIn) -> Status:
    if data.item.type != "paper":
        raise HttpError(
            400, f"Collections here hold papers only; item type {data.item.type!r} is not one."
        )
    collection = _own_by_slug(request, owner, title)
    paper = paper_or_error(data.item.id)
    try:
        community_call(
            lambda: services.add_collection_item(request.auth, collection, paper, data.note)
        )
    except services.AlreadyExists as exc:
        return Status(409, {"error": str(exc)})
    return Status(200, collection_json(collection, queries.collection_items(collection)))


class ItemPatch(Schema):
    note: CleanStr | None = Field(None, max_length=500)
    position: int | None = Field(None, ge=0, le=100_000)


def _item(collection: Collection, item_id: str) -> CollectionItem:
    item = queries.collection_item(collection, int(item_id)) if item_id.isdigit() else None
    if item is None:
        raise Http404(f"This collection has no item {item_id}.")
    return item


@router.patch(
    "/collections/{owner}/{title}/items/{item_id}",
    auth=token_or_session,
    response={200: Ok, **AUTH_ERRORS},
    summary="Change an item's note or position",
)
def update_item(
    request: HttpRequest, owner: str, title: str, item_id: str, data: ItemPatch
) -> dict[str, bool]:
    item = _item(_own_by_slug(request, owner, title), item_id)
    community_call(
        lambda: services.update_collection_item(request.auth, item, data.note, data.position)
    )
    return {"ok": True}


@router.delete(
    "/collections/{owner}/{title}/items/{item_id}",
    auth=token_or_session,
    response={200: Ok, **AUTH_ERRORS},
    summary="Remove an item from a collection",
)
def delete_item(request: HttpRequest, owner: str, title: str, item_id: str) -> dict[str, bool]:
    item = _item(_own_by_slug(request, owner, title), item_id)
    community_call(lambda: services.delete_collection_item(request.auth, item))
    return {"ok": True}
