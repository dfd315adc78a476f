"""Load one page of search hits (papers with organization, authors and visible feed entries)
in a few plain ``SELECT ... WHERE id IN (...)`` queries.

The same objects ``with_card_data(...).prefetch_related(feed entries)`` would give, but
without building ORM querysets: at 20 hits per request, compiling the select_related /
prefetch / ordering querysets cost several times more than the SQLite reads themselves.
Rows go through the same database converters (datetimes, JSON) and become the instances
``Model.from_db`` would make; an author list comes joined to its authorships.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

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
def _plan(model: type[Model], vendor: str) -> _Plan:
    """The read plan of ``model`` on this backend (cached: it never changes)."""
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    converters = []
    for position, field in enumerate(fields):
        col = field.get_col(table)
        funcs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if funcs:
            converters.append((position, col, funcs))
    columns = ", ".join(f"{quote(table)}.{quote(field.column)}" for field in fields)
    return _Plan(quote(table), columns, [field.attname for field in fields], converters)


def _instance(model: type[Model], plan: _Plan, values: list, conn: Any, plain: bool) -> Any:
    """A model instance from one row's ``values``, as ``Model.from_db`` makes it (``plain``:
    no pre_init/post_init receivers for ``model``, see :func:`_plain`)."""
    for position, col, funcs in plan.converters:
        value = values[position]
        for func in funcs:
            value = func(value, col, conn)
        values[position] = value
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


def _rows(
    model: type[Model], column: str, keys: Sequence[int], tail: str = "", params: Iterable = ()
) -> list[Any]:
    """Instances of ``model`` whose ``column`` is one of ``keys`` (``tail``: more SQL)."""
    if not keys:
        return []
    plan = _plan(model, connection.vendor)
    marks = ", ".join(["%s"] * len(keys))
    where = f"{plan.table}.{connection.ops.quote_name(column)}"
    sql = f"SELECT {plan.columns} FROM {plan.table} WHERE {where} IN ({marks}){tail}"
    rows, conn = _fetch(sql, [*keys, *params])
    plain = _plain(model)
    return [_instance(model, plan, list(row), conn, plain) for row in rows]


def _authorships(paper_ids: Sequence[int]) -> list[PaperAuthor]:
    """The authorships of these papers by paper and position, each with its ``author``
    loaded: one join (an authorship without its author row is not returned)."""
    quote = connection.ops.quote_name
    link, person = _plan(PaperAuthor, connection.vendor), _plan(Author, connection.vendor)
    marks = ", ".join(["%s"] * len(paper_ids))
    sql = (
        f"SELECT {link.columns}, {person.columns} FROM {link.table}"
        f" INNER JOIN {person.table} ON {person.table}.{quote('id')}"
        f" = {link.table}.{quote('author_id')}"
        f" WHERE {link.table}.{quote('paper_id')} IN ({marks})"
        f" ORDER BY {link.table}.{quote('paper_id')}, {link.table}.{quote('position')}"
    )
    rows, conn = _fetch(sql, list(paper_ids))
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
    quote = connection.ops.quote_name
    authorships = _authorships(keys)
    visible = f" AND {quote('hidden')} = %s ORDER BY {quote('date')} DESC"
    entries = _rows(DailyEntry, "paper_id", keys, visible, [False])
    orgs = _by_id(Organization, (p.organization_id for p in papers.values()))
    users = _by_id(
        get_user_model(),
        [a.claimed_by_id for a in authorships] + [e.submitted_by_id for e in entries],
    )
    # No back-references (``authorship.paper``, ``entry.paper``), unlike prefetch_related:
    # each would make the page one big reference cycle, ~1,100 objects a request left for
    # the cyclic garbage collector instead of being freed at once (1M: hybrid p90 -1.8 ms,
    # p99 -4.3 in-process). Nothing that shows a page reads them; each costs a query.
    by_paper: dict[int, list[PaperAuthor]] = {pk: [] for pk in keys}
    for authorship in authorships:
        _cache(authorship, "claimed_by", users.get(authorship.claimed_by_id))
        by_paper[authorship.paper_id].append(authorship)
    feed: dict[int, list[DailyEntry]] = {pk: [] for pk in keys}
    for entry in entries:
        _cache(entry, "submitted_by", users.get(entry.submitted_by_id))
        feed[entry.paper_id].append(entry)
    for pk, paper in papers.items():
        _cache(paper, "organization", orgs.get(paper.organization_id))
        _prefetched(paper, "authorships", PaperAuthor, by_paper[pk])
        paper.feed_entries = feed[pk]
    return papers
