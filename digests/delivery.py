"""Sending digests: claim, send over SMTP with retries, record. Safe to re-run and to run twice.

For each due subscriber the runner first CLAIMS the digest of the period by inserting a
``DigestDelivery`` row (unique per subscription and period) with status ``sending`` and
commits; a concurrent runner whose insert fails skips that subscriber. After the SMTP
server accepts the message the row becomes ``sent`` and its papers are recorded as
``SentPaper`` in one transaction.

Delivery guarantee: AT-LEAST-ONCE. A claim left in ``sending`` by a crashed runner is
taken over (optimistic update on its ``claimed_at``) once it is older than
DIGEST_CLAIM_TIMEOUT_SECONDS, so a crash never loses a digest. If the crash falls in the
short window after the SMTP server accepted a message and before the row was marked sent,
that one digest is sent again (with the same Message-ID so receivers can tell). We prefer
a rare duplicate to a silently missing digest. A crash *before* the SMTP send — the case
the tests exercise — yields exactly one digest.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import smtplib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone

from digests import services
from digests.emails import DigestRenderer
from digests.models import DigestDelivery, SentPaper, Subscription
from digests.queries import (
    DigestPlan,
    DigestSource,
    due_subscriptions,
    period_key,
    plan_digest,
    sent_paper_ids,
)

log = logging.getLogger(__name__)
Status = DigestDelivery.Status


@dataclass
class RunReport:
    """What one run did, for the command's output and the task's result."""

    frequency: str
    period_key: str
    due: int = 0
    sent: int = 0
    empty: int = 0
    skipped: int = 0  # claimed by another runner, or already done
    deferred: int = 0
    failed: int = 0
    aborted: str = ""
    dry_run_lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.period_key}: {self.due} due, {self.sent} sent, {self.empty} with nothing new, "
            f"{self.skipped} skipped (claimed elsewhere), {self.deferred} deferred, "
            f"{self.failed} failed"
        )
        return f"{text}; ABORTED: {self.aborted}" if self.aborted else text


@dataclass
class Outcome:
    status: str  # a DigestDelivery.Status value
    error: str = ""
    connection_problem: bool = False


class Mailer:
    """One SMTP connection reused for DIGEST_BATCH_SIZE messages, then reopened."""

    def __init__(self) -> None:
        self.backend = get_connection(fail_silently=False)
        self.sent_on_connection = 0

    def send(self, message: EmailMessage) -> None:
        if self.sent_on_connection >= settings.DIGEST_BATCH_SIZE:
            self.reset()
        self.backend.open()
        message.connection = self.backend
        self.backend.send_messages([message])
        self.sent_on_connection += 1

    def reset(self) -> None:
        """Drop the connection (after a batch, or when it broke); the next send reconnects."""
        try:
            self.backend.close()
        except Exception:  # a broken socket may fail to QUIT; it is discarded either way
            log.debug("closing SMTP connection failed", exc_info=True)
        self.sent_on_connection = 0


def _smtp_code(exc: Exception) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return max(codes) if codes else None
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    return None


def backoff_seconds(attempt: int) -> float:
    """Exponential back-off before retry ``attempt`` (1-based): base, 2*base, 4*base..."""
    return settings.DIGEST_RETRY_BASE_SECONDS * (2 ** (attempt - 1))


def deliver(mailer: Mailer, message: EmailMessage, sleep: Callable = time.sleep) -> Outcome:
    """Send with retries on temporary failures (4xx, connection errors); 5xx is final."""
    outcome = Outcome(Status.DEFERRED)
    for attempt in range(1, settings.DIGEST_MAX_ATTEMPTS + 1):
        try:
            mailer.send(message)
            return Outcome(Status.SENT)
        except (smtplib.SMTPException, OSError) as exc:
            code = _smtp_code(exc)
            if code is not None and 500 <= code < 600:
                return Outcome(Status.FAILED, f"{code} {exc}")
            outcome = Outcome(Status.DEFERRED, f"{code or type(exc).__name__}: {exc}", code is None)
            if code is None:
                mailer.reset()  # the connection may be half-dead; start clean
        if attempt < settings.DIGEST_MAX_ATTEMPTS:
            sleep(backoff_seconds(attempt))
    return outcome


def claim(subscription_id: int, key: str, now: dt.datetime) -> DigestDelivery | None:
    """Take this subscriber's digest for ``key``; None if another runner has it or it is done."""
    try:
        with transaction.atomic():
            return DigestDelivery.objects.create(
                subscription_id=subscription_id,
                period_key=key,
                status=Status.SENDING,
                claimed_at=now,
            )
    except IntegrityError:
        pass
    mine = DigestDelivery.objects.filter(subscription_id=subscription_id, period_key=key)
    existing = mine.first()
    if existing is None or not _can_take_over(existing, now):
        return None
    # Optimistic take-over: only one runner matches the old (status, claimed_at).
    taken = DigestDelivery.objects.filter(
        pk=existing.pk, status=existing.status, claimed_at=existing.claimed_at
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if taken != 1:
        return None
    existing.refresh_from_db()
    return existing


def _can_take_over(delivery: DigestDelivery, now: dt.datetime) -> bool:
    if delivery.status == Status.DEFERRED:
        return True
    stale = now - dt.timedelta(seconds=settings.DIGEST_CLAIM_TIMEOUT_SECONDS)
    return delivery.status == Status.SENDING and delivery.claimed_at < stale


def record(
    delivery: DigestDelivery,
    plan: DigestPlan,
    outcome: Outcome,
    now: dt.datetime,
    previous_failures: int = 1,
) -> None:
    """Store the outcome of one send; a sent digest also records its papers."""
    with transaction.atomic():
        DigestDelivery.objects.filter(pk=delivery.pk).update(
            status=outcome.status,
            sent_at=now if outcome.status == Status.SENT else None,
            paper_count=len(plan.papers),
            error=outcome.error[:2000],
        )
        if outcome.status == Status.SENT:
            SentPaper.objects.bulk_create(
                [
                    SentPaper(
                        subscription_id=delivery.subscription_id, paper_id=p.pk, delivery=delivery
                    )
                    for p in plan.papers
                ],
                ignore_conflicts=True,
            )
            if previous_failures:  # skip the query in the common case
                services.record_success(delivery.subscription_id)
        elif outcome.status == Status.FAILED:
            services.record_hard_failure(delivery.subscription_id, outcome.error, now)


def _chunks(items: list[Subscription], size: int) -> Iterator[list[Subscription]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Run:
    """One worker's share of a run: its own SMTP connection and its own counters."""

    report: RunReport
    source: DigestSource
    renderer: DigestRenderer
    mailer: Mailer | None
    dry_run: bool
    abort: threading.Event

    def batch(self, subscriptions: list[Subscription]) -> None:
        sent = sent_paper_ids([s.pk for s in subscriptions])
        for subscription in subscriptions:
            if self.abort.is_set():
                return
            plan = plan_digest(
                self.source,
                subscription.frequency,
                subscription.size,
                subscription.topic,
                sent[subscription.pk],
            )
            self.one(subscription, plan)

    def one(self, subscription: Subscription, plan: DigestPlan) -> None:
        if not plan.papers:
            self.report.empty += 1  # no claim: a later run the same period may find news
            return
        if self.dry_run:
            self.report.dry_run_lines.append(f"{subscription.email}: {len(plan.papers)} papers")
            return
        delivery = claim(subscription.pk, plan.period_key, timezone.now())
        if delivery is None:
            self.report.skipped += 1
            return
        message = self.renderer.message(subscription, plan, f"{delivery.pk}.{plan.period_key}")
        assert self.mailer is not None
        outcome = deliver(self.mailer, message)
        record(delivery, plan, outcome, timezone.now(), subscription.hard_failures)
        self._count(outcome)

    def _count(self, outcome: Outcome) -> None:
        if outcome.status == Status.SENT:
            self.report.sent += 1
        elif outcome.status == Status.FAILED:
            self.report.failed += 1
        else:
            self.report.deferred += 1
            if outcome.connection_problem:
                # The server itself is unreachable: stop instead of retrying 10k times.
                self.report.aborted = f"SMTP server unreachable ({outcome.error})"
                self.abort.set()

    def drain(self, chunks: queue.SimpleQueue) -> RunReport:
        """Process chunks until none is left or the run is aborted."""
        try:
            while not self.abort.is_set():
                try:
                    chunk = chunks.get_nowait()
                except queue.Empty:
                    break
                self.batch(chunk)
        finally:
            if self.mailer is not None:
                self.mailer.reset()
        return self.report


def _threaded(run: _Run, chunks: queue.SimpleQueue) -> RunReport:
    try:
        return run.drain(chunks)
    finally:
        connections.close_all()  # this thread's own database connections


def _merge(total: RunReport, parts: list[RunReport]) -> RunReport:
    for part in parts:
        total.sent += part.sent
        total.empty += part.empty
        total.skipped += part.skipped
        total.deferred += part.deferred
        total.failed += part.failed
        total.aborted = total.aborted or part.aborted
        total.dry_run_lines.extend(part.dry_run_lines)
    return total


def _warm(source: DigestSource, subscriptions: list[Subscription]) -> None:
    # Compute shared candidates once, before workers start, so threads only read them.
    for topic in sorted({s.topic for s in subscriptions}):
        source.papers(source.candidate_ids(topic))


def send_digests(
    frequency: str,
    now: dt.datetime | None = None,
    *,
    to: str | None = None,
    dry_run: bool = False,
    workers: int | None = None,
) -> RunReport:
    """Send the ``frequency`` digest of the period containing ``now`` to every due subscriber.

    ``workers`` (default DIGEST_SEND_WORKERS) threads send in parallel, each over its own SMTP
    connection, so network round trips overlap; claims keep them from colliding.
    """
    source = DigestSource(frequency, now or timezone.now())
    key = period_key(frequency, source.now)
    subscriptions = list(due_subscriptions(frequency, key, to))
    _warm(source, subscriptions)
    chunks: queue.SimpleQueue = queue.SimpleQueue()
    for chunk in _chunks(subscriptions, settings.DIGEST_BATCH_SIZE):
        chunks.put(chunk)
    workers = max(1, min(workers or settings.DIGEST_SEND_WORKERS, chunks.qsize() or 1))
    renderer, abort = DigestRenderer(), threading.Event()

    def new_run() -> _Run:
        mailer = None if dry_run else Mailer()
        return _Run(RunReport(frequency, key), source, renderer, mailer, dry_run, abort)

    if workers == 1:
        parts = [new_run().drain(chunks)]
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="digest") as pool:
            futures = [pool.submit(_threaded, new_run(), chunks) for _ in range(workers)]
            parts = [future.result() for future in futures]
    report = _merge(RunReport(frequency, key, due=len(subscriptions)), parts)
    log.info("digests %s", report.summary())
    return report
