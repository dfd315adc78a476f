"""Caching of feed pages and API data, invalidated by a content version.

Every cache key embeds the current *content version*, a counter in the database
(``ContentVersion``) that changes whenever papers or community data change. Nothing is ever
deleted from the cache: a write moves everyone to new keys and old entries expire
(``CACHE_TIMEOUT``). Because the counter lives in the database, every gunicorn worker and
every machine sees a bump at once, whatever the cache backend (Redis or local memory).

The bump is triggered by any INSERT/UPDATE/DELETE on a ``papers_*`` or ``community_*`` table
(a database execute wrapper, so bulk imports, ``QuerySet.update()`` and counter updates are all
covered, not only ``save()``), plus ``papers.signals.papers_changed``. Inside a transaction
the bump is one UPDATE in that same transaction, so readers see new data and the new version
together, and a many-row import bumps once, not once per row.

User-specific output is never cached across users: ``cache_anonymous_page`` caches only
responses to anonymous visitors without a session, and swaps the CSRF tokens of the cached
HTML for fresh ones per request. A cache outage degrades to no caching, never to an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
import threading
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

logger = logging.getLogger(__name__)
T = TypeVar("T")

VERSION_KEY = "content"
_WATCHED_TABLES = ('"papers_', '"community_')
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")
_state = threading.local()  # read_since_bump: bool
_table_ready: set[str] = set()  # aliases whose ContentVersion table is known to exist


# --------------------------------------------------------------------------- version


def content_version(using: str = DEFAULT_DB_ALIAS) -> int:
    """The current content version (created with a random start the first time)."""
    from dailypapers.models import ContentVersion

    _flush(connections[using])
    _state.read_since_bump = True
    rows = ContentVersion.objects.using(using).filter(key=VERSION_KEY)
    value = rows.values_list("value", flat=True).first()
    if value is None:
        bump_content_version(using=using)
        value = rows.values_list("value", flat=True).get()
    return value


def bump_content_version(using: str = DEFAULT_DB_ALIAS, **_signal_kwargs: Any) -> None:
    """Move every cached page and response to a new key (call after or inside a write).

    Raw statements, no savepoint: safe at any point of a transaction, and a failure here
    never marks the caller's transaction for rollback.
    """
    from dailypapers.models import ContentVersion

    _state.read_since_bump = False
    connection = connections[using]
    quote = connection.ops.quote_name
    table, key, value = quote(ContentVersion._meta.db_table), quote("key"), quote("value")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {value} = {value} + 1 WHERE {key} = %s", [VERSION_KEY])
        if cursor.rowcount:
            return
        # First use (or a restored/flushed database): a random start, so entries cached for
        # an earlier database with the same counter value are never served for this one.
        cursor.execute(
            f"INSERT INTO {table} ({key}, {value}) VALUES (%s, %s) ON CONFLICT ({key}) DO NOTHING",
            [VERSION_KEY, secrets.randbits(62)],
        )


def _is_content_write(sql: str) -> bool:
    head = sql.lstrip()[:7].upper()
    return head.startswith(_WRITE_VERBS) and any(t in sql[:300] for t in _WATCHED_TABLES)


def _flush(connection: Any) -> None:
    """Do a bump that could not run right after its write (see ``_watch_writes``)."""
    if getattr(connection, "_dailypapers_dirty", False):
        connection._dailypapers_dirty = False
        bump_content_version(using=connection.alias)


def _after_content_write(connection: Any) -> None:
    """Bump once per transaction, and again only if the version was read since."""
    if connection.alias not in _table_ready:
        if "dailypapers_contentversion" not in connection.introspection.table_names():
            return  # during migrations, before this app's table exists
        _table_ready.add(connection.alias)
    if connection.in_atomic_block:
        marker = getattr(connection, "_dailypapers_bump_marker", None)
        scheduled = marker is not None and any(
            item[1] is marker for item in connection.run_on_commit
        )
        if scheduled and not getattr(_state, "read_since_bump", False):
            return
        if not scheduled:

            def marker() -> None:
                """No-op: its presence in run_on_commit means 'bumped in this transaction'."""

            connection._dailypapers_bump_marker = marker
            transaction.on_commit(marker, using=connection.alias)
    try:
        bump_content_version(using=connection.alias)
    except OperationalError as exc:
        if "in progress" not in str(exc):
            raise
        # SQLite cannot always run a statement while the write's own statement is pending;
        # then the bump runs before this connection's next statement (same transaction).
        connection._dailypapers_dirty = True


def _watch_writes(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
    connection = context["connection"]
    if getattr(connection, "_dailypapers_dirty", False) and not _is_bump(sql):
        _flush(connection)
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and _is_content_write(sql):
        _after_content_write(connection)
    return result


def _is_bump(sql: Any) -> bool:
    return isinstance(sql, str) and "dailypapers_contentversion" in sql[:200]


def _install_wrapper(connection: Any, **_kwargs: Any) -> None:
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def _flush_all(**_kwargs: Any) -> None:
    for connection in connections.all(initialized_only=True):
        _flush(connection)


def connect() -> None:
    """Hook the version bump into every database connection and the import signal."""
    from django.core.signals import request_finished

    from papers.signals import papers_changed

    connection_created.connect(_install_wrapper, dispatch_uid="dailypapers.cache.wrapper")
    for conn in connections.all(initialized_only=True):
        _install_wrapper(conn)
    # A request's last write is bumped when the request ends at the latest.
    request_finished.connect(_flush_all, dispatch_uid="dailypapers.cache.flush")
    papers_changed.connect(
        lambda **kw: bump_content_version(), weak=False, dispatch_uid="dailypapers.cache.papers"
    )


# --------------------------------------------------------------------------- data


def _timeout() -> int:
    return int(getattr(settings, "CACHE_TIMEOUT", 600))


def versioned_key(namespace: str, *parts: object) -> str:
    """A cache key for ``parts`` at the current content version and hour.

    The hour is part of the key because feed pages depend on "today" and on ages ("3 hours
    ago") as well as on the data.
    """
    raw = "|".join(str(p) for p in parts)
    digest = hashlib.sha256(raw.encode()).hexdigest()[:40]
    hour = timezone.now().astimezone(dt.UTC).strftime("%Y%m%d%H")
    return f"dp:{namespace}:{content_version()}:{hour}:{digest}"


def cached_data(namespace: str, parts: tuple[object, ...], compute: Callable[[], T]) -> T:
    """``compute()``'s value, cached under ``parts`` until the next content change.

    Only for data that is the same for every user (e.g. an API listing).
    """
    if _timeout() <= 0:
        return compute()
    key = versioned_key(namespace, *parts)
    try:
        hit = cache.get(key)
    except Exception as exc:  # a cache outage must not take the site down
        logger.warning("cache get failed (%s); computing without cache", exc)
        return compute()
    if hit is not None:
        return hit
    value = compute()
    _safe_set(key, value)
    return value


def _safe_set(key: str, value: Any) -> None:
    try:
        cache.set(key, value, _timeout())
    except Exception as exc:
        logger.warning("cache set failed (%s); continuing without cache", exc)


# --------------------------------------------------------------------------- pages

_TOKEN_RE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
_PLACEHOLDER = b"__DAILYPAPERS_CSRF_TOKEN__"
_KEY_HEADERS = (
    "HTTP_HX_REQUEST",
    "HTTP_HX_TARGET",
    "HTTP_HX_BOOSTED",
    "HTTP_HX_HISTORY_RESTORE_REQUEST",
)


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or _timeout() <= 0:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False  # a session may carry a login or flash messages: personal output
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _cacheable_response(response: HttpResponse) -> bool:
    if response.status_code != 200 or getattr(response, "streaming", False):
        return False
    if set(response.cookies) - {settings.CSRF_COOKIE_NAME}:
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def _strip_tokens(request: HttpRequest, content: bytes) -> bytes:
    """Replace this visitor's CSRF tokens in ``content`` by a placeholder."""
    from django.middleware.csrf import _unmask_cipher_token

    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return content

    def swap(match: re.Match[bytes]) -> bytes:
        token = match.group(0).decode()
        return _PLACEHOLDER if _unmask_cipher_token(token) == secret else match.group(0)

    return _TOKEN_RE.sub(swap, content)


def _page_key(request: HttpRequest) -> str:
    headers = [request.META.get(h, "") for h in _KEY_HEADERS]
    return versioned_key("page", request.get_full_path(), request.method == "HEAD", *headers)


def cache_anonymous_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s page from the cache for anonymous visitors (decorator).

    Pages for signed-in users (their vote state, their name) are always rendered fresh.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        try:
            key = _page_key(request)
            hit = cache.get(key)
        except Exception as exc:
            logger.warning("page cache unavailable (%s); rendering", exc)
            return view(request, *args, **kwargs)
        if hit is not None:
            content_type, body = hit
            response = HttpResponse(_fill_tokens(request, body), content_type=content_type)
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response = response.render()
        if _cacheable_response(response):
            body = _strip_tokens(request, response.content)
            _safe_set(key, (response.get("Content-Type", "text/html"), body))
            response["X-Cache"] = "miss"
        return response

    return wrapper


def _fill_tokens(request: HttpRequest, body: bytes) -> bytes:
    """Put fresh CSRF tokens for this visitor where the cached page had placeholders."""
    if _PLACEHOLDER not in body:
        return body
    parts = body.split(_PLACEHOLDER)
    out = [parts[0]]
    for part in parts[1:]:
        out += [get_token(request).encode(), part]
    return b"".join(out)
