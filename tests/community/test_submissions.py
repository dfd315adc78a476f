"""Submitting papers: validation, arXiv fetch through the importers, queueing when arXiv is
down, HF's rules (age, daily cap, duplicates), and the submitter on the card."""

from __future__ import annotations

import datetime as dt
import html
from io import StringIO

import pytest
from django.core.management import call_command

from community import services
from community.models import PendingSubmission
from papers.importers.arxiv_fetch import ArxivUnavailable
from papers.models import DailyEntry, Paper
from tests.community.conftest import NOW, TODAY
from tests.factories import make_entry, make_paper

pytestmark = pytest.mark.django_db

RECENT = NOW - dt.timedelta(days=3)


def submit(client, paper: str, comment: str = ""):
    return client.post("/papers/submit", {"paper": paper, "comment": comment})


def errors_of(response) -> str:
    return html.unescape(response.content.decode())


def test_form_needs_login(anonymous):
    response = anonymous.get("/papers/submit")
    assert response["Location"] == "/accounts/login/?next=%2Fpapers%2Fsubmit"


def test_submit_known_paper_by_url_puts_it_on_todays_feed(owner_client, owner, frozen, arxiv):
    paper = make_paper("2501.04444", published_at=RECENT)
    response = submit(owner_client, "https://arxiv.org/abs/2501.04444v2", "Great read")
    assert response.status_code == 302
    assert response["Location"] == paper.get_absolute_url()
    entry = DailyEntry.objects.get(paper=paper)
    assert (entry.date, entry.submitted_by, entry.submitted_at) == (TODAY, owner, NOW)
    assert entry.submitter_comment == "Great read"
    assert arxiv.calls == []  # known papers are not fetched again


def test_unknown_paper_is_fetched_from_arxiv_and_saved(owner_client, owner, frozen, arxiv):
    arxiv.add("2501.05555", RECENT, title="Fetched paper")
    submit(owner_client, "arXiv:2501.05555")
    assert arxiv.calls == [["2501.05555"]]
    paper = Paper.objects.get(arxiv_id="2501.05555")
    assert paper.title == "Fetched paper"
    assert [a.author.name for a in paper.authorships.all()] == ["Grace Hopper", "Edsger Dijkstra"]
    assert DailyEntry.objects.get(paper=paper).submitted_by == owner


def test_submitter_is_shown_on_the_card(owner_client, frozen, arxiv, client):
    arxiv.add("2501.05556", RECENT, title="Card paper")
    submit(owner_client, "2501.05556")
    html = client.get("/papers").content.decode()
    assert "Card paper" in html
    assert 'Submitted by <a href="/users/owner">owner</a>' in html


def test_arxiv_down_queues_the_submission_with_a_clear_message(owner_client, owner, frozen, arxiv):
    arxiv.down = True
    response = submit(owner_client, "2501.06666", "queued comment")
    assert response.status_code == 302
    assert response["Location"] == "/users/owner"
    page = owner_client.get("/users/owner").content.decode()
    assert "arXiv could not be reached" in page
    assert "2501.06666" in page
    pending = PendingSubmission.objects.get()
    assert (pending.arxiv_id, pending.status, pending.comment) == (
        "2501.06666",
        "pending",
        "queued comment",
    )
    assert not Paper.objects.filter(arxiv_id="2501.06666").exists()


def test_queued_submission_is_added_when_arxiv_is_back(owner, frozen, arxiv, time_machine):
    arxiv.down = True
    services.submit_paper(owner, "2501.06667", "later")
    out = StringIO()
    call_command("process_submissions", stdout=out)  # not due yet: nothing happens
    assert "added 0" in out.getvalue()

    time_machine.move_to(NOW + dt.timedelta(minutes=6), tick=False)
    call_command("process_submissions", stdout=out)  # still down: postponed
    pending = PendingSubmission.objects.get()
    assert pending.attempts == 1 and pending.status == "pending"

    arxiv.down = False
    arxiv.add("2501.06667", RECENT)
    time_machine.move_to(NOW + dt.timedelta(hours=1), tick=False)
    out = StringIO()
    call_command("process_submissions", stdout=out)
    assert "added 1" in out.getvalue()
    pending.refresh_from_db()
    assert pending.status == "done"
    assert pending.entry.submitted_by == owner
    assert pending.entry.submitter_comment == "later"
    assert pending.entry.submitted_at == NOW  # the time the user submitted


def test_queued_submission_gives_up_after_max_attempts(owner, frozen, arxiv, settings):
    settings.SUBMIT_RETRY_MAX_ATTEMPTS = 2
    arxiv.down = True
    services.submit_paper(owner, "2501.06668")
    for hours in (1, 3):
        services.process_pending_submissions(now=NOW + dt.timedelta(hours=hours))
    pending = PendingSubmission.objects.get()
    assert pending.status == "failed"
    assert "unreachable after 2 tries" in pending.last_error


def test_unknown_on_arxiv_is_a_clear_error(owner_client, frozen, arxiv):
    response = submit(owner_client, "2501.07777")
    assert response.status_code == 400
    assert "arXiv has no paper with the id 2501.07777" in errors_of(response)


@pytest.mark.parametrize("text", ["not an id", "https://example.org/abs/2501.01234", "2501.1"])
def test_invalid_ids_are_refused(owner_client, text, arxiv):
    response = submit(owner_client, text)
    assert response.status_code == 400
    assert "is not an arXiv id or URL" in errors_of(response)
    assert arxiv.calls == []


def test_old_papers_are_refused(owner_client, frozen, arxiv, settings):
    make_paper("2412.00001", published_at=NOW - dt.timedelta(days=15))
    response = submit(owner_client, "2412.00001")
    assert response.status_code == 400
    assert "only papers from the last 14 days" in errors_of(response)
    settings.SUBMIT_MAX_AGE_DAYS = 30
    assert submit(owner_client, "2412.00001").status_code == 302


def test_duplicate_on_the_same_day_is_refused(owner_client, other_client, frozen, arxiv):
    make_paper("2501.08888", published_at=RECENT)
    assert submit(owner_client, "2501.08888").status_code == 302
    response = submit(other_client, "2501.08888")
    assert response.status_code == 400
    assert "already on today's feed" in errors_of(response)
    assert DailyEntry.objects.count() == 1


def test_same_paper_can_return_on_another_day(owner, frozen, arxiv):
    paper = make_paper("2501.08889", published_at=RECENT)
    make_entry(paper, TODAY - dt.timedelta(days=1))
    result = services.submit_paper(owner, "2501.08889")
    assert result.entry.date == TODAY


def test_daily_cap_counts_added_and_queued(owner_client, owner, frozen, arxiv, settings):
    settings.SUBMIT_DAILY_CAP = 2
    make_paper("2501.09001", published_at=RECENT)
    assert submit(owner_client, "2501.09001").status_code == 302
    arxiv.down = True
    assert submit(owner_client, "2501.09002").status_code == 302  # queued
    response = submit(owner_client, "2501.09003")
    assert response.status_code == 400
    assert "You can submit 2 papers a day" in errors_of(response)


def test_cap_resets_the_next_day(owner, frozen, arxiv, settings, time_machine):
    settings.SUBMIT_DAILY_CAP = 1
    make_paper("2501.09011", published_at=RECENT)
    make_paper("2501.09012", published_at=RECENT)
    services.submit_paper(owner, "2501.09011")
    with pytest.raises(services.CommunityError):
        services.submit_paper(owner, "2501.09012")
    time_machine.move_to(NOW + dt.timedelta(days=1), tick=False)
    assert services.submit_paper(owner, "2501.09012").status == "added"


def test_too_long_comment_is_refused(owner_client, frozen, arxiv):
    make_paper("2501.09021", published_at=RECENT)
    response = submit(owner_client, "2501.09021", "x" * 1001)
    assert response.status_code == 400
    assert "at most 1000 characters" in errors_of(response)
    assert not DailyEntry.objects.exists()


RAW_ERROR = (
    "arXiv API unavailable after 1 tries: ConnectionError: HTTPSConnectionPool("
    "host='export.arxiv.org', port=443): Max retries exceeded (Failed to resolve "
    "'export.arxiv.org' ([Errno -3] Temporary failure in name resolution))"
)


def test_a_queued_submission_shows_a_sentence_not_the_raw_error(
    owner_client, owner, frozen, monkeypatch, caplog
):
    def unreachable(ids, client=None):
        raise ArxivUnavailable(RAW_ERROR)

    monkeypatch.setattr("papers.importers.arxiv_fetch.fetch_arxiv_ids", unreachable)
    with caplog.at_level("WARNING", logger="community.services"):
        submit(owner_client, "2501.06669")
    page = owner_client.get("/users/owner").content.decode()
    retry_at = NOW + dt.timedelta(minutes=5)
    assert f"arXiv could not be reached; we retry at {retry_at:%H:%M} UTC" in page
    assert "Failed to resolve" not in page and "ConnectionError" not in page
    # The detail is kept for operators: in the log and on the row (shown in the admin).
    assert "Failed to resolve 'export.arxiv.org'" in caplog.text
    assert PendingSubmission.objects.get().last_error == RAW_ERROR
