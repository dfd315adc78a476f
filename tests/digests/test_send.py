"""Sending digests over real SMTP: content, headers, once-per-paper, empty days, failures."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from digests.delivery import send_digests
from digests.models import DigestDelivery, SentPaper, Subscription
from tests.digests.conftest import NOW, SITE, make_feed_papers, make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=True):
        yield


def _bodies(envelope) -> tuple[str, str]:
    message = envelope.message
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_digest_content_and_headers(smtp):
    papers = make_feed_papers(3)
    make_subscriber("ada@example.org", size=2)

    report = send_digests("daily", NOW)

    assert report.sent == 1
    [envelope] = smtp.to("ada@example.org")
    message = envelope.message
    assert "Wednesday, January 8, 2025" in message["Subject"]
    assert "2 trending papers" in message["Subject"]
    unsubscribe = message["List-Unsubscribe"].strip()
    assert re.fullmatch(rf"<{SITE}/digests/unsubscribe/[^>]+>", unsubscribe)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].endswith("@papers.example.org>")
    text, html = _bodies(envelope)
    for body in (text, html):
        assert papers[0].title in body and papers[1].title in body
        assert papers[2].title not in body  # size=2
        assert f"{SITE}/papers/{papers[0].arxiv_id}" in body
        assert f"https://arxiv.org/abs/{papers[0].arxiv_id}" in body
        assert "https://github.com/example/repo1" in body
        assert "First paragraph of paper 1." in body
        assert "Second paragraph" not in body  # one-paragraph excerpt
        assert "Ada Lovelace, Alan Turing" in body
        assert f"{SITE}/digests/manage/" in body
        assert "digest-link-" not in body  # every placeholder link was personalised
    assert "▲ 50 upvotes" in text
    assert "<table" in html and 'style="' in html  # inline-styled tables for mail clients


def test_each_paper_is_sent_once_across_digests(smtp):
    first = make_feed_papers(3)
    make_subscriber("ada@example.org", size=2)
    send_digests("daily", NOW)
    # The next day nothing new was posted: the third paper is still trending, sent alone.
    send_digests("daily", NOW + dt.timedelta(days=1))
    # And on the day after, nothing is left: no mail.
    report = send_digests("daily", NOW + dt.timedelta(days=2))

    envelopes = smtp.to("ada@example.org")
    assert len(envelopes) == 2
    second_text, _ = _bodies(envelopes[1])
    assert first[2].title in second_text
    assert first[0].title not in second_text and first[1].title not in second_text
    assert report.sent == 0 and report.empty == 1
    sent = SentPaper.objects.filter(subscription__email="ada@example.org")
    assert sorted(sent.values_list("paper_id", flat=True)) == sorted(p.pk for p in first)


def test_same_period_is_not_sent_twice(smtp):
    make_feed_papers(2)
    make_subscriber("ada@example.org")
    send_digests("daily", NOW)
    make_feed_papers(2, start_votes=90)  # new papers the same day
    report = send_digests("daily", NOW)
    assert len(smtp.to("ada@example.org")) == 1
    assert report.due == 0


def test_no_mail_without_news(smtp):
    make_subscriber("ada@example.org")
    report = send_digests("daily", NOW)
    assert report.empty == 1 and report.sent == 0
    assert smtp.envelopes == []
    assert not DigestDelivery.objects.exists()  # nothing claimed: a later run may still send


def test_only_active_subscribers_get_mail(smtp):
    make_feed_papers(2)
    make_subscriber("pending@example.org", confirmed=False)
    make_subscriber("gone@example.org", unsubscribed_at=NOW)
    make_subscriber("weekly@example.org", frequency="weekly")
    make_subscriber("bouncing@example.org", hard_failures=3)
    make_subscriber("ada@example.org")
    send_digests("daily", NOW)
    assert smtp.count_by_recipient() == {"ada@example.org": 1}


def test_weekly_digest(smtp):
    make_feed_papers(2, date="2025-01-03")
    make_feed_papers(1, date="2025-01-07")
    make_subscriber("weekly@example.org", frequency="weekly", size=10)
    make_subscriber("daily@example.org")
    report = send_digests("weekly", NOW)
    assert report.period_key == "weekly:2025-W02"
    [envelope] = smtp.to("weekly@example.org")
    assert "weekly" in envelope.message["Subject"]
    assert "January 8, 2025" in envelope.message["Subject"]
    text, _ = _bodies(envelope)
    assert text.count("Trending paper") == 3
    assert smtp.to("daily@example.org") == []


def test_topic_filters_and_reranks(smtp):
    from search.service import index_papers
    from tests.factories import make_daily_paper

    def paper(title: str, abstract: str, votes: int):
        entry = make_daily_paper(
            "2025-01-07", title=title, abstract=abstract, imported_upvotes=votes, upvotes=votes
        )
        return entry.paper

    cooking = paper("Sourdough bread baking at home", "Flour, water, salt and patience.", 90)
    graphs = paper(
        "Graph neural networks for molecules",
        "We train graph neural networks with message passing on molecular graphs.",
        10,
    )
    vision = paper("Vision transformers for images", "Image patches and attention layers.", 50)
    index_papers([cooking.pk, graphs.pk, vision.pk])
    make_subscriber("topic@example.org", topic="graph neural networks")
    make_subscriber("all@example.org")

    send_digests("daily", NOW)

    text, _ = _bodies(smtp.to("topic@example.org")[0])
    first = text.index("1. ")
    assert text[first:].startswith(f"1. {graphs.title}")  # least upvoted, but on topic: first
    assert cooking.title not in text  # the least related paper is filtered out
    all_text, _ = _bodies(smtp.to("all@example.org")[0])
    assert (
        all_text.index(cooking.title) < all_text.index(vision.title) < all_text.index(graphs.title)
    )


def test_temporary_failure_is_retried(smtp):
    make_feed_papers(1)
    make_subscriber("grey@example.org")
    smtp.script["grey@example.org"] = ["451 4.7.1 Greylisted, try again", "451 4.7.1 Again"]
    report = send_digests("daily", NOW)
    assert report.sent == 1
    assert smtp.rcpt_attempts["grey@example.org"] == 3
    assert len(smtp.to("grey@example.org")) == 1
    assert DigestDelivery.objects.get().status == "sent"


def test_temporary_failure_exhausting_retries_is_deferred_then_sent(smtp, settings):
    settings.DIGEST_MAX_ATTEMPTS = 2
    make_feed_papers(1)
    make_subscriber("grey@example.org")
    make_subscriber("ok@example.org")
    smtp.script["grey@example.org"] = ["451 busy", "451 busy"]
    report = send_digests("daily", NOW)
    assert report.deferred == 1 and report.sent == 1
    delivery = DigestDelivery.objects.get(subscription__email="grey@example.org")
    assert delivery.status == "deferred" and "451" in delivery.error
    # The next run retries the deferred digest and nothing else.
    report = send_digests("daily", NOW)
    assert report.sent == 1
    assert smtp.count_by_recipient() == {"ok@example.org": 1, "grey@example.org": 1}


def test_hard_failure_is_recorded_and_stops_sending(smtp, settings):
    settings.DIGEST_MAX_HARD_FAILURES = 2
    make_feed_papers(5)
    make_subscriber("nobody@example.org", size=1)
    smtp.always["nobody@example.org"] = "550 5.1.1 Mailbox unknown"
    for day in range(3):
        send_digests("daily", NOW + dt.timedelta(days=day))
    subscription = Subscription.objects.get()
    assert subscription.hard_failures == 2
    assert "550" in subscription.last_failure
    assert smtp.rcpt_attempts["nobody@example.org"] == 2  # not retried, then no longer tried
    assert subscription.status_label.startswith("paused")
    assert not SentPaper.objects.exists()


def test_unreachable_server_aborts_the_run(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port: nothing listens
    settings.DIGEST_MAX_ATTEMPTS = 2
    make_feed_papers(1)
    make_subscriber("a@example.org")
    make_subscriber("b@example.org")
    report = send_digests("daily", NOW)
    assert report.aborted and report.sent == 0
    assert list(DigestDelivery.objects.values_list("status", flat=True)) == ["deferred"]


def test_command_dry_run_and_to(smtp, capsys):
    make_feed_papers(2)
    make_subscriber("ada@example.org")
    make_subscriber("bob@example.org")
    call_command("send_digests", "--frequency", "daily", "--dry-run")
    out = capsys.readouterr().out
    assert "would send ada@example.org: 2 papers" in out
    assert smtp.envelopes == [] and not DigestDelivery.objects.exists()

    call_command("send_digests", "--frequency", "daily", "--to", "BOB@example.org")
    assert smtp.count_by_recipient() == {"bob@example.org": 1}

    with pytest.raises(CommandError, match=r"No subscription for stranger@example\.org"):
        call_command("send_digests", "--to", "stranger@example.org")


def test_command_sends_only_what_is_due(smtp, capsys):
    make_feed_papers(1)
    make_subscriber("weekly@example.org", frequency="weekly")
    make_subscriber("daily@example.org")
    call_command("send_digests")  # a Wednesday: daily is due, weekly (Mondays) is not
    out = capsys.readouterr().out
    assert "weekly: not due" in out
    assert smtp.count_by_recipient() == {"daily@example.org": 1}


def test_task_wraps_the_command(smtp):
    from digests.tasks import send_due_digests

    make_feed_papers(1)
    make_subscriber("daily@example.org")
    result = send_due_digests.enqueue(frequency="daily")
    assert "1 sent" in result.return_value[0]
    assert smtp.count_by_recipient() == {"daily@example.org": 1}


def test_loop_runs_repeatedly_without_duplicates(smtp, monkeypatch):
    make_feed_papers(1)
    make_subscriber("daily@example.org")
    sleeps = []

    def fake_sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt  # how an operator stops the loop

    monkeypatch.setattr("digests.management.commands.send_digests.time.sleep", fake_sleep)
    with pytest.raises(KeyboardInterrupt):
        call_command("send_digests", "--loop", "--interval", "60")
    assert sleeps == [60, 60, 60]
    assert smtp.count_by_recipient() == {"daily@example.org": 1}


def test_backoff_is_exponential_and_bounded(settings):
    import smtplib

    from digests.delivery import deliver

    settings.DIGEST_MAX_ATTEMPTS = 4
    settings.DIGEST_RETRY_BASE_SECONDS = 2.0

    class Busy:
        calls = 0

        def send(self, message):
            Busy.calls += 1
            raise smtplib.SMTPDataError(421, b"Service busy")

        def reset(self):
            pass

    sleeps: list[float] = []
    outcome = deliver(Busy(), object(), sleep=sleeps.append)
    assert sleeps == [2.0, 4.0, 8.0]
    assert Busy.calls == 4
    assert outcome.status == "deferred" and "421" in outcome.error


def test_unusual_messages_are_encoded_correctly(smtp, settings):
    """Non-ASCII headers take Django's encoding; over-long lines fall back to its encoder."""
    settings.SITE_NAME = "Papiers du jour \u2013 été"
    papers = make_feed_papers(1)
    papers[0].abstract = "x" * 1500  # one 1500-character line: too long for 8bit SMTP
    papers[0].save()
    make_subscriber("ada@example.org", topic="")
    send_digests("daily", NOW)
    [envelope] = smtp.to("ada@example.org")
    assert envelope.message["Subject"].strip().startswith("Papiers du jour \u2013 été: 1 trending")
    text, html = _bodies(envelope)
    assert "x" * 70 in text.replace("\n", "") or "x" * 70 in html


def test_fast_mime_matches_django(smtp):
    """The digest encoder's bytes parse to the same message as Django's own encoder's."""
    from django.core.mail import EmailMultiAlternatives

    from digests.emails import DigestRenderer
    from digests.queries import DigestSource, plan_digest

    make_feed_papers(2)
    subscription = make_subscriber("ada@example.org")
    plan = plan_digest(DigestSource("daily", NOW), "daily", 10)
    fast = DigestRenderer().message(subscription, plan, "1.daily")
    slow = EmailMultiAlternatives.message(fast)
    import email
    import email.policy

    parsed = [
        email.message_from_bytes(m.as_bytes(linesep="\r\n"), policy=email.policy.default)
        for m in (fast.message(), slow)
    ]
    for name in ("Subject", "From", "To", "Message-ID", "List-Unsubscribe", "List-Id"):
        assert str(parsed[0][name]).strip() == str(parsed[1][name]).strip(), name
    for kind in ("plain", "html"):
        bodies = [p.get_body((kind,)).get_content() for p in parsed]
        assert bodies[0] == bodies[1]


def test_non_ascii_subject_is_encoded(smtp, settings):
    settings.SITE_NAME = "Papiers du jour \u2013 été"
    make_feed_papers(1)
    make_subscriber("ada@example.org")
    send_digests("daily", NOW)
    message = smtp.to("ada@example.org")[0].message
    # Django folds a long encoded Subject right after "Subject:"; mail readers drop the
    # whitespace of that fold, Python's parser keeps one space of it.
    assert message["Subject"].lstrip() == (
        "Papiers du jour \u2013 été: 1 trending paper - Wednesday, January 8, 2025"
    )
    assert b"=?utf-8?" in smtp.to("ada@example.org")[0].content  # encoded words, not raw 8bit
