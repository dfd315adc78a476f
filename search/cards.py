"""Load one page of search hits (papers with organization, authors and visible feed entries)
in a few plain ``SELECT ... WHERE id IN (...)`` queries.

:func:`load_papers` gives the same objects ``with_card_data(...).prefetch_related(feed
entries)`` would, but without building ORM querysets: at 20 hits per request, compiling the
select_related / prefetch / ordering querysets cost several times more than the SQLite reads
themselves. Rows go through the same database converters (datetimes, JSON) and become the
instances ``Model.from_db`` would make; an author list comes joined to its authorships.

:func:`load_records` is the JSON API's lighter variant: only the columns an item shows, as
named tuples with the attribute names the serialisers read, instead of ~250 model instances
a page (see its docstring).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model, QuerySet, signals
from django.db.models.base import ModelState

from papers.models import Author, DailyEntry, Organization, Paper, PaperAuthor


@dataclass(frozen=True)
class _Plan:
    """How to read ``model``'s rows: its quoted table and columns, attribute names, and the
    per-column database converters (what a queryset's compiler works out for every query)."""

    table: str
    columns: str
    attnames: list[str]
    converters: list[tuple[int, Any, list]]


@cache
def _plan(model: type[Model], vendor: str, names: tuple[str, ...] = ()) -> _Plan:
    """The read plan of ``model`` on this backend (cached: it never changes): all its
    concrete fields, or only the fields ``names`` (attribute names; ``pk`` for the primary
    key), in that order."""
    quote = connection.ops.quote_name
    meta = model._meta
    if names:
        fields = [meta.pk if name == "pk" else meta.get_field(name) for name in names]
    else:
        fields = meta.concrete_fields
    table = meta.db_table
    converters = []
    for position, field in enumerate(fields):
        col = field.get_col(table)
        funcs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if funcs:
            converters.append((position, col, funcs))
    columns = ", ".join(f"{quote(table)}.{quote(field.column)}" for field in fields)
    return _Plan(quote(table), columns, [field.attname for field in fields], converters)


def _convert(plan: _Plan, values: list, conn: Any) -> list:
    """One row's raw database ``values`` turned into Python values, in place."""
    for position, col, funcs in plan.converters:
        value = values[position]
        for func in funcs:
            value = func(value, col, conn)
        values[position] = value
    return values


def _instance(model: type[Model], plan: _Plan, values: list, conn: Any, plain: bool) -> Any:
    """A model instance from one row's ``values``, as ``Model.from_db`` makes it (``plain``:
    no pre_init/post_init receivers for ``model``, see :func:`_plain`)."""
    _convert(plan, values, conn)
    if not plain:
        return model.from_db(conn.alias, plan.attnames, values)
    # What from_db does, without Model.__init__'s per-field setattr through descriptors:
    # ~4x faster, which matters at the ~250 instances of one search page (20 papers, ~110
    # authorships and their authors).
    instance = model.__new__(model)
    instance.__dict__.update(zip(plan.attnames, values, strict=True))
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = conn.alias
    return instance


def _plain(model: type[Model]) -> bool:
    """Whether instances of ``model`` may skip ``__init__``: no pre_init/post_init receiver
    would miss them (checked per query: receivers can be connected at any time)."""
    return not (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model))


def _fetch(sql: str, params: list) -> tuple[list[tuple], Any]:
    """(raw rows, connection) of one query on the default database."""
    # The ``connection`` proxy looks the connection up again (thread-local storage) on every
    # attribute access: resolved once here, and the converters get it directly.
    conn = connections[DEFAULT_DB_ALIAS]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall(), conn


def _select(
    plan: _Plan, column: str, keys: Sequence[int], tail: str = "", params: Iterable = ()
) -> tuple[list[tuple], Any]:
    """(raw rows, connection) of ``plan``'s table whose ``column`` is one of ``keys``
    (``tail``: more SQL)."""
    marks = ", ".join(["%s"] * len(keys))
    where = f"{plan.table}.{connection.ops.quote_name(column)}"
    sql = f"SELECT {plan.columns} FROM {plan.table} WHERE {where} IN ({marks}){tail}"
    return _fetch(sql, [*keys, *params])


def _rows(
    model: type[Model], column: str, keys: Sequence[int], tail: str = "", params: Iterable = ()
) -> list[Any]:
    """Instances of ``model`` whose ``column`` is one of ``keys`` (``tail``: more SQL)."""
    if not keys:
        return []
    plan = _plan(model, connection.vendor)
    rows, conn = _select(plan, column, keys, tail, params)
    plain = _plain(model)
    return [_instance(model, plan, list(row), conn, plain) for row in rows]


def _authorship_rows(
    paper_ids: Sequence[int], link: _Plan, person: _Plan
) -> tuple[list[tuple], Any]:
    """(raw rows, connection): the authorships of these papers by paper and position,
    ``link``'s columns then their author's (``person``); one join (an authorship without
    its author row is not returned)."""
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(paper_ids))
    sql = (
        f"SELECT {link.columns}, {person.columns} FROM {link.table}"
        f" INNER JOIN {person.table} ON {person.table}.{quote('id')}"
        f" = {link.table}.{quote('author_id')}"
        f" WHERE {link.table}.{quote('paper_id')} IN ({marks})"
        f" ORDER BY {link.table}.{quote('paper_id')}, {link.table}.{quote('position')}"
    )
    return _fetch(sql, list(paper_ids))


def _authorships(paper_ids: Sequence[int]) -> list[PaperAuthor]:
    """The authorships of these papers by paper and position, each with its ``author``."""
    link, person = _plan(PaperAuthor, connection.vendor), _plan(Author, connection.vendor)
    rows, conn = _authorship_rows(paper_ids, link, person)
    split = len(link.attnames)
    plain_link, plain_person = _plain(PaperAuthor), _plain(Author)
    authorships = []
    for row in rows:
        authorship = _instance(PaperAuthor, link, list(row[:split]), conn, plain_link)
        author = _instance(Author, person, list(row[split:]), conn, plain_person)
        _cache(authorship, "author", author)
        authorships.append(authorship)
    return authorships


def _cache(instance: Model, name: str, value: Model | None) -> None:
    """Set a loaded foreign-key object, as select_related does (no descriptor checks)."""
    instance._state.fields_cache[name] = value


def _by_id(model: type[Model], ids: Iterable[int | None]) -> dict[int, Any]:
    wanted = sorted({i for i in ids if i is not None})
    return {row.pk: row for row in _rows(model, "id", wanted)}


def _prefetched(paper: Paper, name: str, model: type[Model], rows: list) -> None:
    # What prefetch_related stores: ``paper.<name>.all()`` then returns ``rows`` unqueried.
    # An empty query underneath (like ``none()``, 6x cheaper): a chained filter finds nothing
    # rather than rows of other papers.
    queryset = QuerySet(model=model)
    queryset.query.set_empty()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(paper, "_prefetched_objects_cache"):
        paper._prefetched_objects_cache = {}
    paper._prefetched_objects_cache[name] = queryset


@dataclass
class _Around:
    """What a page of papers shows besides the papers and their authorships: visible feed
    entries (newest first, ``submitted_by`` loaded) by paper, organizations and users."""

    feed: dict[int, list[DailyEntry]]
    orgs: dict[int, Organization]
    users: dict[int, Any]


def _around(keys: list[int], org_ids: Iterable[int | None], claimed: list[int | None]) -> _Around:
    quote = connection.ops.quote_name
    visible = f" AND {quote('hidden')} = %s ORDER BY {quote('date')} DESC"
    entries = _rows(DailyEntry, "paper_id", keys, visible, [False])
    users = _by_id(get_user_model(), claimed + [e.submitted_by_id for e in entries])
    feed: dict[int, list[DailyEntry]] = {pk: [] for pk in keys}
    for entry in entries:
        _cache(entry, "submitted_by", users.get(entry.submitted_by_id))
        feed[entry.paper_id].append(entry)
    return _Around(feed, _by_id(Organization, org_ids), users)


def load_papers(ids: Sequence[int]) -> dict[int, Paper]:
    """Papers by id (missing ids are absent) with ``organization``, ``authorships`` (author
    and claimed_by loaded, by position) and ``feed_entries`` (visible daily entries, newest
    first, submitted_by loaded) ready, in 3-6 queries whatever the page size. The papers
    are not linked back from their authorships and entries (see below)."""
    wanted = sorted(set(ids))
    papers: dict[int, Paper] = {p.pk: p for p in _rows(Paper, "id", wanted)}
    if not papers:
        return {}
    keys = sorted(papers)
    authorships = _authorships(keys)
    around = _around(
        keys,
        (p.organization_id for p in papers.values()),
        [a.claimed_by_id for a in authorships],
    )
    # No back-references (``authorship.paper``, ``entry.paper``), unlike prefetch_related:
    # each would make the page one big reference cycle, ~1,100 objects a request left for
    # the cyclic garbage collector instead of being freed at once (1M: hybrid p90 -1.8 ms,
    # p99 -4.3 in-process). Nothing that shows a page reads them; each costs a query.
    by_paper: dict[int, list[PaperAuthor]] = {pk: [] for pk in keys}
    for authorship in authorships:
        _cache(authorship, "claimed_by", around.users.get(authorship.claimed_by_id))
        by_paper[authorship.paper_id].append(authorship)
    for pk, paper in papers.items():
        _cache(paper, "organization", around.orgs.get(paper.organization_id))
        _prefetched(paper, "authorships", PaperAuthor, by_paper[pk])
        paper.feed_entries = around.feed[pk]
    return papers


class AuthorName(NamedTuple):
    name: str


class AuthorshipRecord(NamedTuple):
    """An authorship as :func:`papers.serializers.hf_author` reads it."""

    paper_id: int
    pk: int
    hf_id: str
    hidden: bool
    status: str
    claimed_by_id: int | None
    claimed_by: Any  # the claiming user (a User instance) or None
    author: AuthorName


def _columns(record: type, last: str) -> tuple[str, ...]:
    """The leading fields of a record type up to ``last``: the columns it is read from, in
    its order (the rest is filled from other rows)."""
    names = record._fields
    return names[: names.index(last) + 1]


# What an HF item shows of an authorship (papers/serializers.py reads these).
_AUTHORSHIP_COLUMNS = _columns(AuthorshipRecord, "claimed_by_id")


class PaperRecord(NamedTuple):
    """A paper as the HF item serialisers read it: the columns they show, its organization,
    authorships and visible feed entries (newest first)."""

    pk: int
    arxiv_id: str
    title: str
    abstract: str
    published_at: Any
    upvotes: int
    extra: Any
    github_repo: str
    github_stars: int | None
    project_page: str
    thumbnail: str
    ai_summary: str
    ai_keywords: Any
    num_comments: int
    organization_id: int | None
    organization: Organization | None
    authorship_list: list[AuthorshipRecord]
    feed_entries: list[DailyEntry]


_PAPER_COLUMNS = _columns(PaperRecord, "organization_id")


def load_records(ids: Sequence[int]) -> dict[int, PaperRecord]:
    """Papers by id (missing ids are absent) as :class:`PaperRecord`, for JSON items.

    The same values :func:`load_papers` gives the serialisers, in the same 3-6 queries, but
    only the columns an item shows, and named tuples instead of model instances for the
    papers, authorships and authors (organizations, users and feed entries stay instances:
    a page has few). A page of 20 papers with ~110 authorships at 1M papers is loaded and
    serialised in 1.5 ms instead of 2.7 (in-process p50, alternating; search/README.md).
    """
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    plan = _plan(Paper, connection.vendor, _PAPER_COLUMNS)
    rows, conn = _select(plan, "id", wanted)
    papers = [_convert(plan, list(row), conn) for row in rows]
    if not papers:
        return {}
    keys = sorted(values[0] for values in papers)
    link = _plan(PaperAuthor, connection.vendor, _AUTHORSHIP_COLUMNS)
    person = _plan(Author, connection.vendor, ("name",))
    rows, conn = _authorship_rows(keys, link, person)
    # The author's name (last) needs no converter; the link's converters index its columns
    # (only SQLite has one: ``hidden``, stored as 0/1).
    links = [_convert(link, list(row), conn) for row in rows] if link.converters else rows
    around = _around(keys, (values[-1] for values in papers), [v[5] for v in links])
    by_paper: dict[int, list[AuthorshipRecord]] = {pk: [] for pk in keys}
    users = around.users
    for paper_id, pk, hf_id, hidden, status, claimed_by_id, name in links:
        record = AuthorshipRecord(
            paper_id,
            pk,
            hf_id,
            hidden,
            status,
            claimed_by_id,
            users.get(claimed_by_id),
            AuthorName(name),
        )
        by_paper[paper_id].append(record)
    records = {}
    for values in papers:
        pk, organization = values[0], around.orgs.get(values[-1])
        records[pk] = PaperRecord(*values, organization, by_paper[pk], around.feed[pk])
    return records
