"""A real SMTP server (aiosmtpd on 127.0.0.1) for the digest tests, and digest test data."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from digests.models import Subscription
from tests.factories import make_daily_paper

# aiosmtpd logs every SMTP command at INFO; keep test output readable.
logging.getLogger("mail.log").setLevel(logging.WARNING)

# A Wednesday morning after the send hour; the latest feed day is Tuesday.
NOW = dt.datetime(2025, 1, 8, 8, 0, tzinfo=dt.UTC)
FEED_DAY = "2025-01-07"
SITE = "https://papers.example.org"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Envelope:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.content, policy=email.policy.default)


@dataclass
class RecordingHandler:
    """Accepts everything and records it; ``script`` answers RCPT for given addresses.

    ``script[address]`` is a list of replies used one per attempt (e.g. ["451 ..."]); when it
    runs out the address is accepted. ``always[address]`` is a reply used on every attempt.
    """

    envelopes: list[Envelope] = field(default_factory=list)
    script: dict[str, list[str]] = field(default_factory=dict)
    always: dict[str, str] = field(default_factory=dict)
    rcpt_attempts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_attempts[address] = self.rcpt_attempts.get(address, 0) + 1
            if address in self.always:
                return self.always[address]
            replies = self.script.get(address)
            if replies:
                return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(
                Envelope(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Envelope]:
        with self.lock:
            return [e for e in self.envelopes if address in e.rcpt_tos]

    def count_by_recipient(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self.lock:
            for envelope in self.envelopes:
                for rcpt in envelope.rcpt_tos:
                    counts[rcpt] = counts.get(rcpt, 0) + 1
        return counts


@pytest.fixture
def smtp(settings) -> Iterator[RecordingHandler]:
    """An aiosmtpd server on a random local port; Django's SMTP backend points at it."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Daily Papers <papers@papers.example.org>"
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _digest_settings(settings) -> None:
    settings.SITE_URL = SITE
    settings.DIGEST_RETRY_BASE_SECONDS = 0.01
    settings.DIGEST_SEND_HOUR = 7
    settings.TRENDING_CACHE_SECONDS = 0
    # The in-memory test database cannot take concurrent writers; test_concurrency.py runs
    # the threaded path in real processes on a database file.
    settings.DIGEST_SEND_WORKERS = 1


def make_subscriber(email_address: str, **fields) -> Subscription:
    fields.setdefault("confirmed", True)
    return Subscription.objects.create(email=email_address, **fields)


def make_feed_papers(count: int, date: str = FEED_DAY, start_votes: int = 50) -> list:
    """``count`` papers on the feed of ``date``, most upvoted first."""
    papers = []
    for i in range(count):
        votes = start_votes - i
        entry = make_daily_paper(
            date,
            title=f"Trending paper {date} #{i + 1}",
            abstract=f"First paragraph of paper {i + 1}.\n\nSecond paragraph, not in mail.",
            imported_upvotes=votes,
            upvotes=votes,
            github_repo=f"https://github.com/example/repo{i + 1}" if i == 0 else "",
        )
        papers.append(entry.paper)
    return papers
