"""Writes to papers, authors, organizations and the daily feed (all importers use these).

``upsert_papers`` takes ``PaperRecord`` objects from any source and writes them in batches,
one transaction per batch, so a crash loses at most the batch in flight and never leaves a
paper without its authors. Re-running the same input writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import DateField, DateTimeField, F, Field, JSONField, Max, Model
from django.utils import timezone
from django.utils.text import slugify

from papers.importers.records import (
    PAPER_FIELDS,
    AuthorRecord,
    Dropped,
    OrganizationRecord,
    PaperRecord,
    Rejected,
    clean_record,
    validate,
)
from papers.models import Author, DailyEntry, ImportCheckpoint, Organization, Paper, PaperAuthor
from papers.signals import papers_changed

DEFAULT_BATCH_SIZE = 500
_EMPTY: tuple[Any, ...] = (None, "", [], {})
_MISSING = object()


@dataclass
class ImportStats:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    failed_inputs: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.added + self.updated + self.unchanged

    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}"
        )


# Receives each rejected record and each field dropped from a record that is kept.
RejectHandler = Callable[[Rejected | Dropped], None]


def upsert_papers(
    records: Iterable[PaperRecord],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    stats: ImportStats | None = None,
    on_reject: RejectHandler | None = None,
) -> ImportStats:
    """Write ``records`` in batches of ``batch_size``, one transaction each; returns counts."""
    stats = stats or ImportStats()
    report = on_reject or (lambda rejected: None)
    for batch in _batches(_valid(records, stats, report), batch_size):
        _write_batch_safely(batch, stats, report)
    return stats


def author_slug(name: str) -> str:
    """The author-page slug of ``name`` (same slug = same author page)."""
    return _author_slug(name.strip())


@lru_cache(maxsize=200_000)
def _author_slug(name: str) -> str:
    slug = slugify(name, allow_unicode=True)[:320]
    # Names made only of punctuation slugify to nothing; give them a stable slug anyway.
    return slug or "author-" + hashlib.sha1(name.encode()).hexdigest()[:12]


def _valid(
    records: Iterable[PaperRecord], stats: ImportStats, report: RejectHandler
) -> Iterator[PaperRecord]:
    for record in records:
        for dropped in clean_record(record):
            report(dropped)
        error = validate(record)
        if error is None:
            yield record
            continue
        stats.rejected += 1
        report(Rejected(record.origin or record.arxiv_id, error.field, error.reason))


def _batches(records: Iterable[PaperRecord], size: int) -> Iterator[list[PaperRecord]]:
    """Batches of distinct papers: a repeated arXiv id starts a new batch, so the later
    record is applied on top of the earlier one instead of racing it."""
    batch: list[PaperRecord] = []
    ids: set[str] = set()
    for record in records:
        if len(batch) >= size or record.arxiv_id in ids:
            yield batch
            batch, ids = [], set()
        batch.append(record)
        ids.add(record.arxiv_id)
    if batch:
        yield batch


def _write_batch_safely(
    batch: list[PaperRecord], stats: ImportStats, report: RejectHandler
) -> None:
    """Write a batch; if the database refuses it, write record by record to find the culprit."""
    try:
        _merge(stats, _write_batch(batch))
        return
    except IntegrityError:
        if len(batch) == 1:
            raise
    for record in batch:
        try:
            _merge(stats, _write_batch([record]))
        except IntegrityError as error:
            stats.rejected += 1
            report(Rejected(record.origin or record.arxiv_id, "database", str(error)))


def _merge(stats: ImportStats, counts: tuple[int, int, int]) -> None:
    stats.added += counts[0]
    stats.updated += counts[1]
    stats.unchanged += counts[2]


@transaction.atomic
def _write_batch(batch: list[PaperRecord]) -> tuple[int, int, int]:
    """Upsert one batch of distinct papers; returns (added, updated, unchanged)."""
    existing = Paper.objects.in_bulk([r.arxiv_id for r in batch], field_name="arxiv_id")
    orgs = _sync_organizations([r.organization for r in batch if r.organization])
    new = _create_papers([r for r in batch if r.arxiv_id not in existing], orgs)
    fresh = _without_stale(batch, existing)
    changed = {p.pk for r in fresh if (p := existing.get(r.arxiv_id)) and _update_paper(p, r, orgs)}
    ids = {**{key: paper.pk for key, paper in existing.items()}, **new}
    authored = _sync_authorships(fresh, ids, set(new)) - changed - set(new.values())
    if authored:
        # Author names are searchable, and other nodes' indexes find changed papers by
        # updated_at: a change of authors alone must move it too.
        Paper.objects.filter(pk__in=authored).update(updated_at=timezone.now())
    changed |= authored
    changed |= _sync_daily_entries(batch, ids)
    touched = sorted(changed | set(new.values()))
    if touched:
        transaction.on_commit(lambda: papers_changed.send(sender=Paper, paper_ids=touched))
    updated = len(changed - set(new.values()))
    return len(new), updated, len(batch) - len(new) - updated


def _without_stale(batch: list[PaperRecord], existing: dict[str, Paper]) -> list[PaperRecord]:
    """``batch`` minus records listed on an earlier day than the paper's latest listing: an
    older snapshot (e.g. yesterday's upvotes) must not overwrite a newer one on a re-run."""
    listed = [existing[r.arxiv_id].pk for r in batch if r.daily and r.arxiv_id in existing]
    if not listed:
        return batch
    latest = dict(
        DailyEntry.objects.filter(paper_id__in=listed)
        .values_list("paper_id")
        .annotate(latest=Max("date"))
        .values_list("paper_id", "latest")
    )
    return [r for r in batch if not _is_stale(r, existing.get(r.arxiv_id), latest)]


def _is_stale(record: PaperRecord, paper: Paper | None, latest: dict[int, dt.date]) -> bool:
    if record.daily is None or paper is None or paper.pk not in latest:
        return False
    return record.daily.date < latest[paper.pk]


# --- organizations --------------------------------------------------------------------


def _sync_organizations(records: list[OrganizationRecord]) -> dict[str, Organization]:
    """Organizations by slug, created or refreshed from ``records``."""
    wanted = {r.slug: r for r in records}
    if not wanted:
        return {}
    found = Organization.objects.in_bulk(list(wanted), field_name="slug")
    for slug, record in wanted.items():
        org = found.get(slug) or Organization(slug=slug, name=record.name)
        if _apply_org(org, record) or org.pk is None:  # apply to new orgs too
            org.save()
            found[slug] = org
    return found


def _apply_org(org: Organization, record: OrganizationRecord) -> bool:
    changed = False
    for name in ("name", "hf_id", "avatar_url"):
        value = getattr(record, name)
        if value and getattr(org, name) != value:
            setattr(org, name, value)
            changed = True
    return changed


# --- papers ---------------------------------------------------------------------------


def _create_papers(records: list[PaperRecord], orgs: dict[str, Organization]) -> dict[str, int]:
    """Insert papers for ``records``; their ids by arXiv id."""
    if not records:
        return {}
    now = timezone.now()
    _insert(Paper, [_new_paper(record, orgs, now) for record in records])
    arxiv_ids = [record.arxiv_id for record in records]
    return dict(Paper.objects.filter(arxiv_id__in=arxiv_ids).values_list("arxiv_id", "id"))


def _new_paper(
    record: PaperRecord, orgs: dict[str, Organization], now: dt.datetime
) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in PAPER_FIELDS}
    org = orgs.get(record.organization.slug) if record.organization else None
    upvotes, comments = record.upvotes or 0, record.comments or 0
    return {
        **{name: value for name, value in values.items() if value is not None},
        "arxiv_id": record.arxiv_id,
        "version": record.version,
        "source": record.source,
        "organization_id": org.pk if org else None,
        "upvotes": upvotes,
        "imported_upvotes": upvotes,
        "num_comments": comments,
        "imported_comments": comments,
        "extra": dict(record.extra),
        "created_at": now,
        "updated_at": now,
    }


def _update_paper(paper: Paper, record: PaperRecord, orgs: dict[str, Organization]) -> bool:
    """Apply what ``record`` says that differs from ``paper``; True when a row changed."""
    changes = _field_changes(paper, record) | _count_changes(paper, record)
    org = orgs.get(record.organization.slug) if record.organization else None
    if org is not None and paper.organization_id != org.pk:
        changes["organization_id"] = org.pk
    if not changes:
        return False
    Paper.objects.filter(pk=paper.pk).update(**changes, updated_at=timezone.now())
    return True


def _field_changes(paper: Paper, record: PaperRecord) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in PAPER_FIELDS:
        value, current = getattr(record, name), getattr(paper, name)
        if value is None or value == current:
            continue
        if name in record.weak_fields and current not in _EMPTY:
            continue
        changes[name] = value
    if record.version is not None and (paper.version or 0) < record.version:
        changes["version"] = record.version
    extra = {**paper.extra, **record.extra}
    if extra != paper.extra:
        changes["extra"] = extra
    return changes


def _count_changes(paper: Paper, record: PaperRecord) -> dict[str, Any]:
    """Imported counts replace the previous import; the shown totals move by the difference
    so votes and comments made locally are kept."""
    changes: dict[str, Any] = {}
    pairs = (("upvotes", "imported_upvotes", record.upvotes),)
    pairs += (("num_comments", "imported_comments", record.comments),)
    for total, imported, value in pairs:
        previous = getattr(paper, imported)
        if value is not None and value != previous:
            changes[imported] = value
            changes[total] = F(total) + (value - previous)
    return changes


# --- authors --------------------------------------------------------------------------
# Authorships are the bulk of an import (~10 per paper), so they are read as tuples and
# written with executemany instead of model instances: same rows, several times faster.


class _Authorship(NamedTuple):
    id: int
    slug: str
    hf_id: str
    hidden: bool
    status: str
    claimed_by_id: int | None


def _sync_authorships(batch: list[PaperRecord], ids: dict[str, int], new_ids: set[str]) -> set[int]:
    """Bring each paper's ordered author list in line with its record; changed paper ids."""
    with_authors = [r for r in batch if r.authors is not None]
    if not with_authors:
        return set()
    author_ids = _ensure_authors([a.name for r in with_authors for a in r.authors or []])
    old_ids = [ids[r.arxiv_id] for r in with_authors if r.arxiv_id not in new_ids]
    current = _current_authorships(old_ids)
    changed: set[int] = set()
    rows: list[dict[str, Any]] = []
    for record in with_authors:
        paper_id = ids[record.arxiv_id]
        wanted = record.authors or []
        if _sync_one(paper_id, wanted, current.get(paper_id, []), author_ids, rows):
            changed.add(paper_id)
    _insert(PaperAuthor, rows)
    return changed


def _ensure_authors(names: list[str]) -> dict[str, int]:
    """Author ids by slug for ``names``, creating the missing authors."""
    wanted = {author_slug(name): name.strip() for name in reversed(names)}
    found = _author_ids(list(wanted))
    missing = [{"slug": slug, "name": name} for slug, name in wanted.items() if slug not in found]
    if missing:
        # DO NOTHING: a concurrent import may have created the same author meanwhile.
        _insert(Author, missing, suffix="ON CONFLICT DO NOTHING")
        found.update(_author_ids([row["slug"] for row in missing]))
    return found


def _author_ids(slugs: list[str]) -> dict[str, int]:
    """Ids of the authors with these slugs (plain SQL: the ORM's per-value preparation of
    thousands of IN parameters per batch is a large share of import time)."""
    quote = connection.ops.quote_name
    table = quote(Author._meta.db_table)
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(slugs), 900):  # below SQLite's bound-parameter limit
            chunk = slugs[start : start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT slug, id FROM {table} WHERE slug IN ({marks})", chunk)
            found.update(cursor.fetchall())
    return found


def _current_authorships(paper_ids: list[int]) -> dict[int, list[_Authorship]]:
    if not paper_ids:
        return {}
    rows = PaperAuthor.objects.filter(paper_id__in=paper_ids).order_by("paper_id", "position")
    columns = ("id", "author__slug", "hf_id", "hidden", "status", "claimed_by_id")
    grouped: dict[int, list[_Authorship]] = defaultdict(list)
    for paper_id, *values in rows.values_list("paper_id", *columns):
        grouped[paper_id].append(_Authorship(*values))
    return grouped


def _sync_one(
    paper_id: int,
    wanted: list[AuthorRecord],
    current: list[_Authorship],
    author_ids: dict[str, int],
    rows: list[dict[str, Any]],
) -> bool:
    """Queue or apply the authorship changes of one paper; True when something changed."""
    slugs = [author_slug(a.name) for a in wanted]
    if slugs == [row.slug for row in current]:
        return _refresh_authorships(current, wanted)
    previous = {row.slug: row for row in reversed(current)}
    if current:
        PaperAuthor.objects.filter(paper_id=paper_id).delete()
    for position, (slug, record) in enumerate(zip(slugs, wanted, strict=True)):
        row = {"paper_id": paper_id, "author_id": author_ids[slug], "position": position}
        rows.append(row | _carried_over(record, previous.get(slug)))
    return True


def _carried_over(record: AuthorRecord, old: _Authorship | None) -> dict[str, Any]:
    """What the source does not say about an author, and the local claim, carry over from
    the same author's previous row on this paper."""
    if old is None:
        return {"hf_id": record.hf_id, "hidden": bool(record.hidden), "status": record.status}
    return {
        "hf_id": record.hf_id or old.hf_id,
        "hidden": record.hidden if record.hidden is not None else old.hidden,
        "status": record.status or old.status,
        "claimed_by_id": old.claimed_by_id,
    }


def _refresh_authorships(current: list[_Authorship], wanted: list[AuthorRecord]) -> bool:
    changed = False
    for row, record in zip(current, wanted, strict=True):
        updates = {"hf_id": record.hf_id, "status": record.status, "hidden": record.hidden}
        updates = {k: v for k, v in updates.items() if v not in (None, "")}
        if any(getattr(row, k) != v for k, v in updates.items()):
            PaperAuthor.objects.filter(pk=row.id).update(**updates)
            changed = True
    return changed


def _insert(model: type[Model], rows: list[dict[str, Any]], suffix: str = "") -> None:
    """INSERT ``rows`` (dicts by attribute name; missing fields get their default) with one
    executemany: the ORM's bulk_create costs more per value than the insert itself."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    defaults = [_adapter(f)(f.get_default()) for f in fields]
    conversions = [(i, _adapter(f)) for i, f in enumerate(fields) if _adapter(f) is not _same]
    values = []
    for row in rows:
        line = [row.get(name, _MISSING) for name in names]
        for index, adapt in conversions:
            if line[index] is not _MISSING:
                line[index] = adapt(line[index])
        values.append([d if v is _MISSING else v for v, d in zip(line, defaults, strict=True)])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks}) {suffix}"
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _adapter(field: Field) -> Callable[[Any], Any]:
    """The backend conversion Django would apply to ``field``'s values."""
    ops = connection.ops
    if isinstance(field, JSONField):
        return lambda value: ops.adapt_json_value(value, field.encoder)
    if isinstance(field, DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, DateField):
        return ops.adapt_datefield_value
    return _same


def _same(value: Any) -> Any:
    return value


# --- the daily feed -------------------------------------------------------------------

_ENTRY_FIELDS = (
    "submitted_at",
    "submitter_name",
    "submitter_fullname",
    "submitter_avatar",
    "submitter_comment",
)


def _sync_daily_entries(batch: list[PaperRecord], ids: dict[str, int]) -> set[int]:
    """Create or refresh the feed appearances in ``batch``; ids of papers whose entry changed."""
    dailies = [(ids[r.arxiv_id], r.daily) for r in batch if r.daily is not None]
    if not dailies:
        return set()
    rows = DailyEntry.objects.filter(paper_id__in=[paper_id for paper_id, _ in dailies])
    existing = {(row.paper_id, row.date): row for row in rows}
    changed: set[int] = set()
    to_create = []
    for paper_id, daily in dailies:
        values = {name: getattr(daily, name) for name in _ENTRY_FIELDS}
        values = {k: v for k, v in values.items() if v not in (None, "")}
        row = existing.get((paper_id, daily.date))
        if row is None:
            to_create.append({"paper_id": paper_id, "date": daily.date, **values})
        elif any(getattr(row, k) != v for k, v in values.items()):
            DailyEntry.objects.filter(pk=row.pk).update(**values)
        else:
            continue
        changed.add(paper_id)
    now = timezone.now()
    _insert(DailyEntry, [row | {"created_at": now} for row in to_create])
    return changed


# --- resumable imports ----------------------------------------------------------------


def load_checkpoint(key: str) -> dict[str, Any]:
    """The saved progress of the import identified by ``key`` ({} when none)."""
    state = ImportCheckpoint.objects.filter(key=key).values_list("state", flat=True).first()
    return dict(state) if isinstance(state, dict) else {}


def save_checkpoint(key: str, state: dict[str, Any]) -> None:
    ImportCheckpoint.objects.update_or_create(key=key, defaults={"state": state})


def upsert_with_checkpoint(
    records: list[PaperRecord], key: str, state: dict[str, Any], **options: Any
) -> ImportStats:
    """Write ``records`` and the progress ``state`` in one transaction, so a re-run after a
    crash resumes exactly after the last page that was stored."""
    with transaction.atomic():
        stats = upsert_papers(records, **options)
        save_checkpoint(key, state)
    return stats


# --- GitHub stars ---------------------------------------------------------------------


def set_github_stars(stars_by_repo: dict[str, int]) -> int:
    """Store fresh star counts for the papers linking each repository URL; papers changed."""
    changed: list[int] = []
    with transaction.atomic():
        for repo, stars in stars_by_repo.items():
            papers = Paper.objects.filter(github_repo=repo).exclude(github_stars=stars)
            ids = list(papers.values_list("pk", flat=True))
            if ids:
                Paper.objects.filter(pk__in=ids).update(
                    github_stars=stars, updated_at=timezone.now()
                )
                changed += ids
    if changed:
        transaction.on_commit(lambda: papers_changed.send(sender=Paper, paper_ids=sorted(changed)))
    return len(changed)


def mark_withdrawn(arxiv_ids: list[str]) -> int:
    """Flag papers as withdrawn on arXiv (kept, so links and discussions still work)."""
    ids = list(
        Paper.objects.filter(arxiv_id__in=arxiv_ids, withdrawn=False).values_list("pk", flat=True)
    )
    if ids:
        Paper.objects.filter(pk__in=ids).update(withdrawn=True, updated_at=timezone.now())
        transaction.on_commit(lambda: papers_changed.send(sender=Paper, paper_ids=ids))
    return len(ids)
