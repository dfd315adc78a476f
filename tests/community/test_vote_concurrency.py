"""Many threads upvoting the same paper at once leave an exact count (SQLite file + WAL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from community.models import Vote
from papers.models import Paper
from tests.factories import make_paper, make_user

THREADS = 12


def _run_in_threads(target, args_list) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(args_list))

    def worker(*args) -> None:
        try:
            barrier.wait()
            target(*args)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_database_is_a_wal_file():
    assert connection.vendor != "sqlite" or "memory" not in str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_by_different_users_are_all_counted():
    paper = make_paper(upvotes=7, imported_upvotes=7)
    users = [make_user(f"voter{i}") for i in range(THREADS)]

    def vote(user) -> None:
        client = Client()
        client.force_login(user)
        response = client.post(f"/papers/{paper.arxiv_id}/upvote", {"vote": "1"})
        assert response.status_code == 302

    errors = _run_in_threads(vote, [(u,) for u in users])
    assert errors == []
    assert Paper.objects.get(pk=paper.pk).upvotes == 7 + THREADS
    assert Vote.objects.filter(paper=paper).count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_votes_by_one_user_count_once():
    paper = make_paper()
    user = make_user("eager")

    def vote() -> None:
        client = Client()
        client.force_login(user)
        client.post(f"/papers/{paper.arxiv_id}/upvote", {"vote": "1"})

    errors = _run_in_threads(vote, [() for _ in range(THREADS)])
    assert errors == []
    assert Paper.objects.get(pk=paper.pk).upvotes == 1
    assert Vote.objects.filter(paper=paper).count() == 1
