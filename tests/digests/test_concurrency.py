"""Two runners at once, as two real processes sharing one SQLite database file.

Each process claims digests by inserting DigestDelivery rows (unique per subscriber and
period); the loser of each insert skips that subscriber. Result: exactly one digest each.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.digests.conftest import RecordingHandler

REPO = Path(__file__).resolve().parents[2]
SUBSCRIBERS = 300

SEED = f"""
import django
django.setup()
import datetime as dt
from digests.models import Subscription
from tests.factories import make_daily_paper
today = dt.date.today()
for i in range(3):
    make_daily_paper(today, title=f"Paper {{i}}", imported_upvotes=10 - i, upvotes=10 - i)
Subscription.objects.bulk_create(
    Subscription(email=f"reader{{i}}@example.org", confirmed=True) for i in range({SUBSCRIBERS})
)
"""


def _env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "EMAIL_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="dailypapers.settings",
        DAILYPAPERS_DATA_DIR=str(tmp_path),
        SECRET_KEY="concurrency-test-secret-key-0123456789abcdef",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        SITE_URL="https://papers.example.org",
        TIME_ZONE="UTC",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def test_two_concurrent_runners_send_exactly_one_digest_each(smtp: RecordingHandler, tmp_path):
    from django.conf import settings

    env = _env(tmp_path, settings.EMAIL_PORT)
    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    _run([sys.executable, "-c", SEED], env)

    command = [sys.executable, "manage.py", "send_digests", "--frequency", "daily"]
    runners = [
        subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [runner.communicate(timeout=300) for runner in runners]
    for runner, (_out, err) in zip(runners, outputs, strict=True):
        assert runner.returncode == 0, err[-3000:]

    expected = {f"reader{i}@example.org": 1 for i in range(SUBSCRIBERS)}
    assert smtp.count_by_recipient() == expected
    key = f"daily:{dt.date.today().isoformat()}"
    assert all(key in out for out, _ in outputs), outputs
    sent = [int(re.search(r"(\d+) sent", out).group(1)) for out, _ in outputs]
    assert sum(sent) == SUBSCRIBERS, outputs
