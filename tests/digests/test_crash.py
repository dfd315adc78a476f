"""Crash in the middle of a run, then re-runs: every subscriber gets exactly one digest.

The runner dies (an exception that is no SMTP error) just before the SMTP send of the
third digest, leaving that digest's claim in ``sending``. A re-run right away must not touch
the claim (its runner might still be alive); a re-run after DIGEST_CLAIM_TIMEOUT_SECONDS
takes it over and sends it. This is the "crash before SMTP send" case of the at-least-once
design documented in digests/delivery.py: it yields exactly one digest per subscriber.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from digests.delivery import Mailer, send_digests
from digests.models import DigestDelivery
from tests.digests.conftest import NOW, make_feed_papers, make_subscriber

pytestmark = pytest.mark.django_db

EMAILS = [f"reader{i}@example.org" for i in range(6)]


class PowerCut(Exception):
    """Stands for the process dying: nothing in the runner handles it."""


def test_crash_before_send_then_rerun_delivers_exactly_once(smtp, monkeypatch, settings):
    settings.DIGEST_CLAIM_TIMEOUT_SECONDS = 600
    make_feed_papers(2)
    for address in EMAILS:
        make_subscriber(address)
    real_send = Mailer.send
    sends = {"n": 0}

    def dying_send(self, message):
        if sends["n"] == 2:
            raise PowerCut
        sends["n"] += 1
        real_send(self, message)

    with time_machine.travel(NOW, tick=True):
        monkeypatch.setattr(Mailer, "send", dying_send)
        with pytest.raises(PowerCut):
            send_digests("daily", NOW)
        monkeypatch.setattr(Mailer, "send", real_send)
        assert len(smtp.envelopes) == 2
        orphan = DigestDelivery.objects.get(status="sending")

        # Re-run at once: the fresh claim is respected, everybody else is served.
        report = send_digests("daily", NOW)
        assert (report.sent, report.skipped) == (3, 1)

    # Re-run after the claim timeout: the orphaned claim is taken over and sent.
    with time_machine.travel(NOW + dt.timedelta(seconds=601), tick=True):
        report = send_digests("daily", NOW)
        assert report.sent == 1
        # And once more: nothing left to do.
        assert send_digests("daily", NOW).due == 0

    assert smtp.count_by_recipient() == dict.fromkeys(EMAILS, 1)
    orphan.refresh_from_db()
    assert (orphan.status, orphan.attempts) == ("sent", 2)
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"sent"}
