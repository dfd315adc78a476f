"""Consistent backups and restores of the database, for SQLite and PostgreSQL.

SQLite uses the online backup API (a consistent snapshot, safe while the site is serving);
PostgreSQL uses ``pg_dump -Fc`` / ``pg_restore`` from Debian's ``postgresql-client``. Only the
database is backed up: search indexes and caches are derived from it and are rebuilt (a
restore starts a new database epoch, which makes every machine's next ``search_index
update`` rebuild its index).
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason in words."""


def default_path(vendor: str) -> Path:
    """``DATA_DIR/backups/dailypapers-<UTC time>.<sqlite3|dump>``."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite3" if vendor == "sqlite" else "dump"
    return Path(settings.DATA_DIR) / "backups" / f"dailypapers-{stamp}.{suffix}"


def backup(path: Path | str | None = None, using: str = "default") -> Path:
    """Write a consistent copy of the database to ``path`` (a file, or a directory: an
    existing one or a name ending in "/"); returns the path written."""
    connection = connections[using]
    dated = default_path(connection.vendor)
    target = Path(path) if path else dated
    # Path() drops a trailing slash, which is how a user names a directory not made yet.
    if target.is_dir() or str(path or "").endswith(("/", os.sep)):
        target = target / dated.name
    _check_writable(target)
    if connection.vendor == "sqlite":
        _backup_sqlite(connection, target)
    elif connection.vendor == "postgresql":
        _backup_postgres(connection.settings_dict, target)
    else:
        raise BackupError(f"backups are not supported for the {connection.vendor} database")
    return target


def _check_writable(target: Path) -> None:
    """Make the backup's directory and try a file beside the target, so that a path that
    cannot be written (a file where a directory should be, no permission) is reported in
    words, before any work."""
    probe = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        probe.touch()
        probe.unlink()
    except (FileExistsError, NotADirectoryError):
        reason = "a part of that path is a file, not a directory"
        raise BackupError(f"cannot write a backup to {target}: {reason}") from None
    except OSError as exc:
        raise BackupError(f"cannot write a backup to {target}: {exc.strerror or exc}") from None


def restore(path: Path, using: str = "default") -> None:
    """Replace the whole database content with the backup at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    head = path.read_bytes()[:16] if path.stat().st_size else b""
    connection = connections[using]
    if connection.vendor == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            kind = "a PostgreSQL dump" if head.startswith(PGDUMP_MAGIC) else "not a SQLite file"
            raise BackupError(f"{path} is {kind}; this site runs on SQLite")
        _restore_sqlite(connection, path)
    elif connection.vendor == "postgresql":
        if not head.startswith(PGDUMP_MAGIC):
            kind = "a SQLite backup" if head.startswith(SQLITE_MAGIC) else "not a pg_dump -Fc file"
            raise BackupError(f"{path} is {kind}; this site runs on PostgreSQL")
        connections.close_all()  # pg_restore drops tables: no idle session may hold them
        _restore_postgres(connection.settings_dict, path)
    else:
        raise BackupError(f"restores are not supported for the {connection.vendor} database")
    connections.close_all()  # cached statements refer to the old tables
    from django.core.management import call_command

    from dailypapers.cache import CATALOG, invalidate
    from search.service import database_replaced

    # A backup from an older release has an older schema: bring it up to this code's.
    call_command("migrate", database=using, interactive=False, verbosity=0)
    invalidate(CATALOG)  # cached pages of the old content are never served again
    database_replaced()  # every machine's search index now rebuilds on its next update


# --------------------------------------------------------------------------- SQLite


def _open_sqlite(connection) -> tuple[sqlite3.Connection, bool]:
    """A connection of our own to the database file (and whether to close it afterwards).

    Our own connection, not Django's: it works outside any transaction this process may have
    open, and in WAL mode it reads the last committed state while others keep writing.
    """
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        connection.ensure_connection()
        return connection.connection, False
    conn = sqlite3.connect(name, timeout=30, uri=name.startswith("file:"))
    return conn, True


def _backup_sqlite(connection, target: Path) -> None:
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    source, owned = _open_sqlite(connection)
    dest = sqlite3.connect(tmp)
    try:
        # The online backup API: all pages in one step, under one read snapshot.
        source.backup(dest)
    finally:
        dest.close()
        if owned:
            source.close()
    tmp.chmod(0o600)
    tmp.replace(target)


def _check_sqlite_backup(src: sqlite3.Connection, source: Path) -> None:
    """Refuse a damaged or truncated file (SQLite may only notice when reading it) or one
    that is no dailypapers database, before the live database is touched."""
    try:
        damaged = src.execute("PRAGMA integrity_check").fetchone()[0] != "ok"
        names = {row[0] for row in src.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        reason = f"damaged or truncated ({error})"
        raise BackupError(f"{source} is {reason}; nothing restored") from None
    if damaged:
        raise BackupError(f"{source} is damaged (integrity_check failed); nothing restored")
    if "django_migrations" not in names:
        raise BackupError(f"{source} is not a dailypapers database; nothing restored")


def _restore_sqlite(connection, source: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        _check_sqlite_backup(src, source)
        connections.close_all()
        dest, owned = _open_sqlite(connection)
        try:
            # Page-by-page copy into the live database under its write lock: readers see
            # the old content or the new, never a mix.
            src.backup(dest)
        finally:
            if owned:
                dest.close()
    finally:
        src.close()


# --------------------------------------------------------------------------- PostgreSQL


def pg_tool(name: str) -> str:
    """The newest ``name`` binary (Debian keeps them per major version), or a clear error."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed; install PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client) and try again"
        )
    return found


def _version_key(path: str) -> tuple[int, ...]:
    part = Path(path).parent.parent.name
    return tuple(int(x) for x in part.split(".") if x.isdigit())


def _pg_env(settings_dict: dict) -> tuple[dict[str, str], list[str]]:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    return env, args


def _run(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tool = Path(argv[0]).name
        raise BackupError(f"{tool} failed (exit {result.returncode}): {result.stderr.strip()}")


def _backup_postgres(settings_dict: dict, target: Path) -> None:
    env, args = _pg_env(settings_dict)
    tmp = target.with_name(target.name + ".part")
    # -Fc: compressed custom format, one consistent snapshot (a single repeatable-read
    # transaction), restorable table by table.
    _run(
        [pg_tool("pg_dump"), "-Fc", "--no-owner", *args, "-f", str(tmp), settings_dict["NAME"]],
        env,
    )
    tmp.chmod(0o600)
    tmp.replace(target)


def _restore_postgres(settings_dict: dict, source: Path) -> None:
    env, args = _pg_env(settings_dict)
    argv = [
        pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",  # all or nothing: a failed restore leaves the old data
        *args,
        "-d",
        settings_dict["NAME"],
        str(source),
    ]
    _run(argv, env)
