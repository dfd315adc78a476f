"""``manage.py worker``: a background worker for the database task queue.

It is django-tasks-db's ``db_worker`` (tasks are claimed with ``SELECT ... FOR UPDATE SKIP
LOCKED`` on PostgreSQL and inside an exclusive transaction on SQLite, so no task runs twice at
once) plus recovery of tasks whose worker died: ``db_worker`` alone leaves a killed worker's
task "running" forever. Worker ids are ``host:pid:nonce``. At start and every
``--recover-every`` seconds, a task still running is put back in the queue when its worker ran
on this host and that process is gone, or (any host) when it started more than
``TASK_STALE_AFTER`` seconds ago. Jobs are idempotent (dailypapers/tasks.py), so re-running a
half-done one finishes it without duplicates.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket

from django.conf import settings
from django.core.management import CommandError
from django.db import close_old_connections, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("dailypapers.worker")
HOST = socket.gethostname()[:40]


def make_worker_id() -> str:
    return f"{HOST}:{os.getpid()}:{secrets.token_hex(3)}"


def _process_gone(pid: int) -> bool:
    if pid == os.getpid():
        return True  # an earlier incarnation with our pid (e.g. a restarted container)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _orphaned(worker_ids: list[str], started_at: dt.datetime | None, now: dt.datetime) -> bool:
    stale = started_at is None or now - started_at > dt.timedelta(seconds=settings.TASK_STALE_AFTER)
    if stale:
        return True
    last = worker_ids[-1] if worker_ids else ""
    host, _, rest = last.partition(":")
    pid = rest.split(":", 1)[0]
    return host == HOST and pid.isdigit() and _process_gone(int(pid))


def recover_orphaned_tasks() -> list[str]:
    """Put tasks of dead workers back in the queue; returns their ids."""
    now = timezone.now()
    recovered = []
    with transaction.atomic():
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for task in running:
            if _orphaned(task.worker_ids, task.started_at, now):
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
                recovered.append(str(task.id))
    for task_id in recovered:
        logger.warning("re-queued task %s: its worker is gone", task_id)
    return recovered


class RecoveringWorker(Worker):
    """``db_worker``'s loop, recovering orphaned tasks between claims."""

    def __init__(self, *, recover_every: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.recover_every = recover_every
        self._next_recovery = 0.0

    def run(self) -> None:
        self._recover()
        super().run()

    def _recover(self) -> None:
        close_old_connections()
        try:
            recover_orphaned_tasks()
        except Exception:  # a database hiccup must not stop the worker; try again later
            logger.exception("could not check for orphaned tasks")

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        now = timezone.now().timestamp()
        if now >= self._next_recovery:
            self._next_recovery = now + self.recover_every
            self._recover()


class Command(DbWorkerCommand):
    help = (
        "Run a background worker for the database task queue (TASKS_BACKEND=database), "
        "re-queueing tasks of workers that died. Run as many as you like, on any machine."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # Our own worker ids (host:pid:nonce) are what makes orphan detection possible.
        parser.set_defaults(worker_id=None, reload=False)
        parser.add_argument(
            "--recover-every", type=float, default=60.0, help="seconds between orphan checks"
        )

    def handle(self, *args, **options) -> None:
        backend = settings.TASKS.get(options["backend_name"], {}).get("BACKEND", "")
        if not backend.startswith("django_tasks_db"):
            raise CommandError(
                "TASKS_BACKEND is not 'database': tasks run inline in the web process and "
                "there is nothing for a worker to do. Set TASKS_BACKEND=database."
            )
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        worker = RecoveringWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"] or make_worker_id(),
            excluded_queue_names=excluded,
            recover_every=options["recover_every"],
        )
        worker.configure_signals()
        worker.run()
