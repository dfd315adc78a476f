"""Read side of digests: which papers go into a digest, who is due, and why a digest is empty.

A digest is the top trending papers of its period (``community.trending``), optionally
filtered and re-ranked by the subscriber's topic (``search.service.topic_matches``), minus the
papers that subscriber already received. Candidates are computed once per run and topic
(``DigestSource``) because thousands of subscribers share them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from community.trending import TrendingPeriod, trending_papers
from digests.models import DigestDelivery, SentPaper, Subscription
from papers.cards import PaperCard, load_cards
from search.service import topic_matches

# Candidates considered before topic filtering and the "already sent" exclusion.
CANDIDATE_POOL = 100
_WINDOW: dict[str, TrendingPeriod] = {"daily": "today", "weekly": "week"}
_WINDOW_WORDS = {"daily": "the last day", "weekly": "the last week"}


def local_date(now: dt.datetime) -> dt.date:
    return timezone.localtime(now).date()


def period_key(frequency: str, now: dt.datetime) -> str:
    """The period a digest sent at ``now`` belongs to: one digest per key per subscriber."""
    date = local_date(now)
    if frequency == "weekly":
        year, week, _ = date.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return f"daily:{date.isoformat()}"


def is_due(frequency: str, now: dt.datetime) -> bool:
    """Daily digests go out on weekdays, weekly ones on one weekday, from the send hour on."""
    local = timezone.localtime(now)
    if local.hour < settings.DIGEST_SEND_HOUR:
        return False
    if frequency == "weekly":
        return local.weekday() == settings.DIGEST_WEEKLY_WEEKDAY
    return local.weekday() < 5


def topic_query(topic: str) -> str:
    """The search text of a topic: keywords as typed, or the ``q`` of a saved search URL."""
    topic = topic.strip()
    if "?" in topic and ("q=" in topic):
        values = parse_qs(urlsplit(topic).query).get("q")
        if values:
            return values[0].strip()
    return topic


@dataclass
class DigestSource:
    """Trending candidates for one run (frequency + time), memoized per topic."""

    frequency: str
    now: dt.datetime
    _trending: list[int] | None = None
    _by_topic: dict[str, list[int]] = field(default_factory=dict)
    _papers: dict[int, PaperCard] = field(default_factory=dict)

    def trending_ids(self) -> list[int]:
        if self._trending is None:
            items = trending_papers(_WINDOW[self.frequency], self.now, CANDIDATE_POOL)
            self._trending = [item.paper.pk for item in items]
            # trending_papers loads card data (authors, organization) already.
            self._papers.update({item.paper.pk: item.paper for item in items})
        return self._trending

    def candidate_ids(self, topic: str) -> list[int]:
        """Trending ids for this topic, best first (unfiltered when the topic is empty)."""
        query = topic_query(topic)
        if not query:
            return self.trending_ids()
        if query not in self._by_topic:
            # The search page's absolute floors: an off-topic topic keeps nothing.
            self._by_topic[query] = topic_matches(query, self.trending_ids())
        return self._by_topic[query]

    def papers(self, ids: list[int]) -> list[PaperCard]:
        """Papers with card data (authors, organization), in the order of ``ids``."""
        missing = [pk for pk in ids if pk not in self._papers]
        if missing:
            self._papers.update(load_cards(missing))
        return [self._papers[pk] for pk in ids if pk in self._papers]


@dataclass
class DigestPlan:
    """What one subscriber's next digest contains, or why it is empty."""

    frequency: str
    period_key: str
    date: dt.date
    papers: list[PaperCard]
    empty_reason: str = ""


def sent_paper_ids(subscription_ids: list[int]) -> dict[int, set[int]]:
    """Papers already mailed to each of these subscribers."""
    sent: dict[int, set[int]] = {pk: set() for pk in subscription_ids}
    rows = SentPaper.objects.filter(subscription_id__in=subscription_ids)
    for sub_id, paper_id in rows.values_list("subscription_id", "paper_id"):
        sent[sub_id].add(paper_id)
    return sent


def plan_digest(
    source: DigestSource,
    frequency: str,
    size: int,
    topic: str = "",
    already_sent: set[int] | frozenset[int] = frozenset(),
) -> DigestPlan:
    """The papers of the next digest for these options, with a reason when there are none."""
    trending = source.trending_ids()
    candidates = source.candidate_ids(topic)
    fresh = [pk for pk in candidates if pk not in already_sent][: max(1, size)]
    plan = DigestPlan(
        frequency=frequency,
        period_key=period_key(frequency, source.now),
        date=local_date(source.now),
        papers=source.papers(fresh),
    )
    if not plan.papers:
        plan.empty_reason = _empty_reason(frequency, topic, trending, candidates)
    return plan


def _empty_reason(frequency: str, topic: str, trending: list[int], candidates: list[int]) -> str:
    window = _WINDOW_WORDS[frequency]
    if not trending:
        return (
            f"No paper has trended in {window} yet, so there is nothing new to send. "
            "Digests are only sent when there is something new."
        )
    if not candidates:
        return (
            f"None of the {len(trending)} papers trending in {window} matches your topic "
            f"“{topic_query(topic)}”. Nothing is sent until one does."
        )
    return (
        f"You have already received all {len(candidates)} papers trending in {window}"
        f"{' that match your topic' if topic else ''}. Each paper is sent to you only once."
    )


def preview_for(subscription: Subscription, now: dt.datetime | None = None) -> DigestPlan:
    """A subscriber's next digest as it would be sent now (already-sent papers excluded)."""
    source = DigestSource(subscription.frequency, now or timezone.now())
    sent = sent_paper_ids([subscription.pk])[subscription.pk]
    return plan_digest(source, subscription.frequency, subscription.size, subscription.topic, sent)


def due_subscriptions(frequency: str, key: str, email: str | None = None) -> QuerySet:
    """Active subscribers of ``frequency`` whose digest for ``key`` is not yet done."""
    done = DigestDelivery.objects.filter(
        period_key=key,
        status__in=[DigestDelivery.Status.SENT, DigestDelivery.Status.FAILED],
    ).values("subscription_id")
    subs = Subscription.objects.filter(
        confirmed=True,
        unsubscribed_at__isnull=True,
        hard_failures__lt=settings.DIGEST_MAX_HARD_FAILURES,
        frequency=frequency,
    ).exclude(pk__in=done)
    if email:
        subs = subs.filter(email=email.strip().lower())
    return subs.order_by("pk")


def subscription_for_user(user) -> Subscription | None:
    """The subscription linked to this account.

    Links are made only by someone holding an emailed link (confirm or manage) while logged
    in, never by matching the account's email: account emails are not proof of a mailbox.
    """
    return Subscription.objects.filter(user=user).order_by("-pk").first()


def recent_deliveries(subscription: Subscription, limit: int = 10) -> QuerySet:
    return subscription.deliveries.order_by("-claimed_at")[:limit]
