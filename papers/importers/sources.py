"""Finding and opening input files for the importers, with clear messages for bad paths."""

from __future__ import annotations

import contextlib
import gzip
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TypeVar

from papers.importers.records import InputFailure, PaperRecord, RecordError, Rejected

Item = PaperRecord | Rejected | InputFailure
T = TypeVar("T")


def expand_paths(
    paths: Iterable[str | Path], patterns: tuple[str, ...]
) -> Iterator[Path | InputFailure]:
    """Files named in ``paths``; folders give their files matching ``patterns``, sorted."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted({f for pattern in patterns for f in path.rglob(pattern) if f.is_file()})
            if not found:
                yield InputFailure(str(path), f"folder has no {' / '.join(patterns)} files")
            yield from found
        elif path.is_file():
            yield path
        else:
            yield InputFailure(str(path), "no such file or folder")


def open_text(path: Path) -> IO[str]:
    """``path`` opened for reading text; ``.gz`` files are decompressed on the fly."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return path.open(encoding="utf-8")


def guarded(parse: Callable[[], T], origin: str) -> T | Rejected:
    """``parse()``, or a ``Rejected`` naming ``origin`` when the record is unusable."""
    try:
        return parse()
    except RecordError as error:
        return Rejected(origin, error.field, error.reason)


def read_errors() -> tuple[type[BaseException], ...]:
    """Errors that make an input file unusable (as opposed to one bad record)."""
    return (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile)


@contextlib.contextmanager
def field_scope(prefix: str) -> Iterator[None]:
    """Prefix the field name of a ``RecordError`` raised inside (e.g. ``paper.title``)."""
    try:
        yield
    except RecordError as error:
        raise RecordError(f"{prefix}.{error.field}", error.reason) from None
