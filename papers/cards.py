"""The read model of a paper as every list shows it: a :class:`PaperCard`.

Feed, author and organization pages, the search page and API, similar papers, RSS, digests,
the HF JSON serialisers (hence the CLI) and ``papers/_card.html`` all read cards from
:func:`load_cards`, so a new card field is added here once.

A card is a frozen dataclass with its organization, authorships (author and claiming user)
and visible feed entries (submitter) attached, so it cannot run a lazy query by accident. They
are read in three SELECTs whatever the number of papers (papers with their organization,
authorships with author, claimant and the time the claim was approved, feed entries with
submitter), written once per process
from the models' table and column names and run through Django's cursor; the few columns the
database does not hand back as Python values are converted as the ORM converts them (aware
datetimes, JSON through ``JSONField.from_db_value``). Compiling three ``values()`` querysets
cost several times what the reads and the cards cost together (docs/benchmarks.md), on every
page of the feed and of search results. ``tests/papers/test_cards.py`` checks that every card
equals the same paper read through ORM instances.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.utils.dateparse import parse_datetime

from papers.models import (
    Author,
    DailyEntry,
    Organization,
    Paper,
    PaperAuthor,
    PaperLinks,
    page_url,
)


@dataclass(frozen=True, slots=True)
class CardUser:
    """A local account as cards show it (a claimant or a feed submitter)."""

    pk: int
    username: str
    first_name: str
    last_name: str
    is_staff: bool

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class CardAuthor:
    name: str
    slug: str

    def get_absolute_url(self) -> str:
        return page_url("papers:author", self.slug, self.name)


@dataclass(frozen=True, slots=True)
class CardAuthorship:
    """One author line of a paper, by position."""

    pk: int
    hf_id: str
    hidden: bool
    status: str
    author: CardAuthor
    claimed_by: CardUser | None
    claimed_at: dt.datetime | None = None  # when the claimant's claim was approved

    @property
    def claimed_by_id(self) -> int | None:
        return self.claimed_by.pk if self.claimed_by else None


@dataclass(frozen=True, slots=True)
class CardOrganization:
    pk: int
    slug: str
    name: str
    hf_id: str
    avatar_url: str

    def get_absolute_url(self) -> str:
        return page_url("papers:organization", self.slug, self.name)


@dataclass(frozen=True, slots=True)
class CardEntry:
    """One visible appearance of a paper on the daily feed."""

    pk: int
    paper_id: int
    date: dt.date
    submitted_at: dt.datetime | None
    created_at: dt.datetime
    submitter_name: str
    submitter_fullname: str
    submitter_avatar: str
    submitter_comment: str
    featured: bool
    submitted_by: CardUser | None

    @property
    def submitted_by_id(self) -> int | None:
        return self.submitted_by.pk if self.submitted_by else None

    @property
    def submitter_display(self) -> str:
        if self.submitted_by is not None:
            return self.submitted_by.username
        return self.submitter_fullname or self.submitter_name


@dataclass(frozen=True, slots=True)
class PaperCard(PaperLinks):
    """A paper with everything a card, an RSS item or an HF JSON item shows."""

    pk: int
    arxiv_id: str
    title: str
    abstract: str
    published_at: dt.datetime | None
    updated_at: dt.datetime
    primary_category: str
    categories: Any
    upvotes: int
    num_comments: int
    github_repo: str
    github_stars: int | None
    project_page: str
    thumbnail: str
    ai_summary: str
    ai_keywords: Any
    extra: Any
    organization: CardOrganization | None
    authorships: tuple[CardAuthorship, ...]
    feed_entries: tuple[CardEntry, ...]  # visible ones, newest first

    @property
    def organization_id(self) -> int | None:
        return self.organization.pk if self.organization else None


@dataclass(frozen=True, slots=True)
class FeedCard:
    """A daily-feed entry with its paper's card."""

    entry: CardEntry
    paper: PaperCard


# What the three queries select, as (table alias, field name) pairs; the card types' own
# field names are read from the dataclasses, so adding a card field is one line there.
_USER = ("pk", "username", "first_name", "last_name", "is_staff")
_ORG = ("pk", "slug", "name", "hf_id", "avatar_url")
_PAPER_FIELDS = [
    f
    for f in PaperCard.__dataclass_fields__
    if f not in ("organization", "authorships", "feed_entries")
]
_AUTHORSHIP_FIELDS = ["pk", "hf_id", "hidden", "status"]  # CardAuthorship's own, in order
_ENTRY_FIELDS = [f for f in CardEntry.__dataclass_fields__ if f != "submitted_by"]


@dataclass(frozen=True)
class _Query:
    """One SELECT of the loader: its SQL (``{marks}`` stands for the ids' placeholders), the
    position of each selected (alias, field name), and the columns that need converting."""

    sql: str
    at: dict[tuple[str, str], int]
    conversions: tuple[tuple[int, Any], ...]


def _aware(value: dt.datetime | str | None) -> dt.datetime | None:
    # SQLite hands back naive UTC datetimes (text for a computed column, which has no
    # declared type), PostgreSQL aware ones (USE_TZ is on).
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _conversion(field: models.Field) -> Any:
    """How a raw column value becomes the field's Python value (None: it already is)."""
    if isinstance(field, models.DateTimeField):
        return _aware
    if isinstance(field, models.JSONField):
        return lambda value: field.from_db_value(value, None, connection)
    return None


def _table(model: type[models.Model]) -> str:
    return f'"{model._meta.db_table}"'


def _query(
    tables: dict[str, type[models.Model]],
    joins: str,
    selected: list[tuple[str, str]],
    tail: str,
    computed: tuple[tuple[str, models.Field], ...] = (),
) -> _Query:
    """A SELECT of ``selected`` from the first of ``tables`` (alias -> model) and ``joins``
    (SQL with ``{alias}`` standing for a table's name), then the ``computed`` (SQL, field of
    its value) columns, last."""
    columns, conversions = [], []
    for position, (alias, name) in enumerate(selected):
        meta = tables[alias]._meta
        field = meta.pk if name == "pk" else meta.get_field(name)
        columns.append(f'{alias}."{field.column}"')
        if (convert := _conversion(field)) is not None:
            conversions.append((position, convert))
    first, model = next(iter(tables.items()))
    names = {alias: _table(m) for alias, m in tables.items()}
    for position, (expression, field) in enumerate(computed, start=len(selected)):
        columns.append(expression.format(**names))
        if (convert := _conversion(field)) is not None:
            conversions.append((position, convert))
    sql = f"SELECT {', '.join(columns)} FROM {_table(model)} {first} {joins.format(**names)} {tail}"
    return _Query(sql, {key: i for i, key in enumerate(selected)}, tuple(conversions))


@cache
def _queries() -> tuple[_Query, _Query, _Query]:
    """The loader's three SELECTs (built once: models do not change while running)."""
    user = get_user_model()
    claim = apps.get_model("community", "AuthorshipClaim")
    papers = _query(
        {"p": Paper, "o": Organization},
        'LEFT JOIN {o} o ON o."id" = p."organization_id"',
        [("p", f) for f in _PAPER_FIELDS] + [("o", f) for f in _ORG],
        'WHERE p."id" IN ({marks})',
    )
    authorships = _query(
        {"a": PaperAuthor, "n": Author, "u": user, "c": claim},
        'INNER JOIN {n} n ON n."id" = a."author_id" LEFT JOIN {u} u ON u."id" = a."claimed_by_id"',
        [("a", "paper_id"), *(("a", f) for f in _AUTHORSHIP_FIELDS)]
        + [("n", "name"), ("n", "slug")]
        + [("u", f) for f in _USER],
        'WHERE a."paper_id" IN ({marks}) ORDER BY a."paper_id", a."position"',
        # HF's statusLastChangedAt: when the claimant's claim was approved.
        computed=(
            (
                '(SELECT MAX(c."decided_at") FROM {c} c WHERE c."authorship_id" = a."id" '
                'AND c."user_id" = a."claimed_by_id" AND c."status" = \'approved\')',
                claim._meta.get_field("decided_at"),
            ),
        ),
    )
    entries = _query(
        {"e": DailyEntry, "u": user},
        'LEFT JOIN {u} u ON u."id" = e."submitted_by_id"',
        [("e", f) for f in _ENTRY_FIELDS] + [("u", f) for f in _USER],
        'WHERE e."paper_id" IN ({marks}) AND NOT e."hidden" ORDER BY e."date" DESC',
    )
    return papers, authorships, entries


def _rows(query: _Query, keys: Sequence[int]) -> list[list[Any]]:
    """The rows of ``query`` for these ids, with their columns converted."""
    sql = query.sql.format(marks=", ".join(["%s"] * len(keys)))
    with connection.cursor() as cursor:
        cursor.execute(sql, list(keys))
        rows = [list(row) for row in cursor.fetchall()]
    for row in rows:
        for position, convert in query.conversions:
            row[position] = convert(row[position])
    return rows


def _user(row: list, query: _Query) -> CardUser | None:
    at = query.at
    pk = row[at[("u", "pk")]]
    if pk is None:
        return None
    return CardUser(pk, *(row[at[("u", f)]] for f in _USER[1:]))


def _organization(row: list, query: _Query) -> CardOrganization | None:
    pk = row[query.at[("o", "pk")]]
    if pk is None:
        return None
    return CardOrganization(pk, *(row[query.at[("o", f)]] for f in _ORG[1:]))


def _authorships(query: _Query, keys: list[int]) -> dict[int, list[CardAuthorship]]:
    by_paper: dict[int, list[CardAuthorship]] = {pk: [] for pk in keys}
    own = slice(1, 1 + len(_AUTHORSHIP_FIELDS))
    name, slug = query.at[("n", "name")], query.at[("n", "slug")]
    for row in _rows(query, keys):
        author = CardAuthor(row[name], row[slug])
        by_paper[row[0]].append(CardAuthorship(*row[own], author, _user(row, query), row[-1]))
    return by_paper


def _entries(query: _Query, keys: list[int]) -> dict[int, list[CardEntry]]:
    by_paper: dict[int, list[CardEntry]] = {pk: [] for pk in keys}
    count = len(_ENTRY_FIELDS)
    for row in _rows(query, keys):
        entry = CardEntry(*row[:count], submitted_by=_user(row, query))
        by_paper[entry.paper_id].append(entry)
    return by_paper


def load_cards(ids: Iterable[int]) -> dict[int, PaperCard]:
    """The cards of these papers by id (ids of missing papers are absent), in 3 queries."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    papers, authorships, entries = _queries()
    rows = _rows(papers, wanted)
    if not rows:
        return {}
    keys = sorted(row[0] for row in rows)
    by_authorship, by_entry = _authorships(authorships, keys), _entries(entries, keys)
    count = len(_PAPER_FIELDS)
    return {
        row[0]: PaperCard(
            *row[:count],
            organization=_organization(row, papers),
            authorships=tuple(by_authorship[row[0]]),
            feed_entries=tuple(by_entry[row[0]]),
        )
        for row in rows
    }


def cards_in_order(ids: Sequence[int]) -> list[PaperCard]:
    """The cards of these papers in the order of ``ids`` (missing papers left out)."""
    cards = load_cards(ids)
    return [cards[pk] for pk in ids if pk in cards]


def load_card(paper_id: int) -> PaperCard | None:
    return load_cards([paper_id]).get(paper_id)


def card_by_arxiv_id(arxiv_id: str) -> PaperCard | None:
    """The card of the paper with this (bare) arXiv id."""
    pk = Paper.objects.filter(arxiv_id=arxiv_id).values_list("pk", flat=True).first()
    return load_card(pk) if pk is not None else None


def latest_entry(card: PaperCard) -> CardEntry | None:
    """The paper's most recent visible appearance on the daily feed."""
    return card.feed_entries[0] if card.feed_entries else None


def feed_cards(entries: Iterable[DailyEntry]) -> list[FeedCard]:
    """The feed entries (model rows, any order) as :class:`FeedCard`, in the same order; an
    entry hidden since it was read is left out."""
    entries = list(entries)
    cards = load_cards(e.paper_id for e in entries)
    items = []
    for entry in entries:
        card = cards.get(entry.paper_id)
        shown = next((e for e in card.feed_entries if e.pk == entry.pk), None) if card else None
        if shown is not None:
            items.append(FeedCard(shown, card))
    return items
