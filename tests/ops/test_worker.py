"""Orphaned-task recovery of ``manage.py worker`` and the ``enqueue`` command."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dailypapers.management.commands.worker import HOST, recover_orphaned_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def _running(worker_id: str, started: dt.datetime):
    from django_tasks_db.models import DBTaskResult

    from dailypapers.tasks import run_command

    result = run_command.enqueue("import_jsonl", ["x.jsonl"])
    row = DBTaskResult.objects.get(id=result.id)
    row.status = "RUNNING"
    row.worker_ids = [worker_id]
    row.started_at = started
    row.save()
    return row


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid  # exited and reaped: no such process any more


def test_recovers_dead_local_workers_and_stale_remote_ones(db_tasks, settings) -> None:
    settings.TASK_STALE_AFTER = 3600
    now = timezone.now()
    dead_local = _running(f"{HOST}:{_dead_pid()}:aaaaaa", now)
    stale_remote = _running("elsewhere:123:bbbbbb", now - dt.timedelta(hours=2))
    busy_remote = _running("elsewhere:124:cccccc", now - dt.timedelta(minutes=5))

    recovered = set(recover_orphaned_tasks())

    assert recovered == {str(dead_local.id), str(stale_remote.id)}
    for row in (dead_local, stale_remote, busy_remote):
        row.refresh_from_db()
    assert (dead_local.status, stale_remote.status) == ("READY", "READY")
    assert dead_local.started_at is None
    assert busy_remote.status == "RUNNING"  # its worker may well be alive: left alone


def test_worker_refuses_without_the_database_backend(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with pytest.raises(CommandError, match="database"):
        call_command("worker", "--batch")


def test_enqueue_queues_allowed_commands_only(db_tasks) -> None:
    from django_tasks_db.models import DBTaskResult

    call_command("enqueue", "import_jsonl", "papers.jsonl", "--daily")
    row = DBTaskResult.objects.get()
    assert row.args_kwargs["args"] == ["import_jsonl", ["papers.jsonl", "--daily"]]
    with pytest.raises(CommandError, match="cannot be queued"):
        call_command("enqueue", "flush")
    assert DBTaskResult.objects.count() == 1
