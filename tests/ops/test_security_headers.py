"""Security headers: a strict Content-Security-Policy every page lives with (checked in
Chromium, where a violation is a console error), and HTTPS settings for production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from dailypapers.security import PAGE_POLICY
from papers.models import Paper
from search.service import rebuild_index
from tests.factories import make_entry, make_org, make_paper, make_user

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_pages_and_api_carry_the_strict_policy(client):
    for path in ("/papers", "/api/daily_papers", "/api/docs", "/accounts/login/", "/nope"):
        policy = client.get(path)["Content-Security-Policy"]
        assert policy == PAGE_POLICY, path
    assert "script-src 'self';" in PAGE_POLICY and "unsafe-eval" not in PAGE_POLICY
    assert "style-src 'self';" in PAGE_POLICY and "object-src 'none'" in PAGE_POLICY


@pytest.fixture
def site(db):
    org = make_org("acme-ai", "Acme AI")
    for n in range(3):
        paper = make_paper(
            arxiv_id=f"2503.1000{n}",
            title=f"Sparse attention paper {n}",
            authors=("Ada Lovelace", "Alan Turing"),
            organization=org,
            ai_keywords=["attention"],
        )
        make_entry(paper, "2025-03-12")
    rebuild_index()
    make_user("reader", password="correct-horse-battery")
    get_user_model().objects.create_superuser("boss", "boss@example.org", "correct-horse-battery")


PUBLIC_PAGES = [
    "/papers",
    "/papers/date/2025-03-12",
    "/papers/week/2025-W11",
    "/papers/2503.10000",
    "/authors/ada-lovelace",
    "/organizations/acme-ai",
    "/papers/trending",
    "/about/trending",
    "/papers/search?q=sparse",
    "/accounts/login/",
    "/accounts/signup/",
    "/digests/subscribe",
]
USER_PAGES = ["/papers/submit", "/users/reader", "/settings/tokens", "/papers/2503.10000"]
ADMIN_PAGES = ["/admin/", "/admin/papers/dailyentry/", "/admin/community/comment/"]


def _watch(page, errors: list[str]) -> None:
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)


def _log_in(page, base: str, login_path: str, username: str) -> None:
    page.goto(f"{base}{login_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-battery")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_runs_under_the_policy_without_console_errors(browser, live_server, site):
    errors: list[str] = []
    page = browser.new_page()
    page.set_default_timeout(15_000)
    _watch(page, errors)
    for path in PUBLIC_PAGES:
        page.goto(f"{live_server.url}{path}")
    page.goto(f"{live_server.url}/papers/search")
    page.fill("#search-q", "attention")  # live results through htmx
    page.wait_for_selector("#search-results .card-title")
    _log_in(page, live_server.url, "/accounts/login/", "reader")
    for path in USER_PAGES:
        page.goto(f"{live_server.url}{path}")
    page.locator("form.upvote-form button").first.click()  # an htmx swap
    page.wait_for_selector("form.upvote-form button[aria-pressed=true]")
    assert errors == []

    admin = browser.new_page()
    _watch(admin, errors)
    _log_in(admin, live_server.url, "/admin/login/", "boss")
    paper = Paper.objects.get(arxiv_id="2503.10000")
    for path in [*ADMIN_PAGES, f"/admin/papers/paper/{paper.pk}/change/"]:
        admin.goto(f"{live_server.url}{path}")
    admin.goto(f"{live_server.url}/api/docs")
    admin.wait_for_selector(".swagger-ui .opblock")
    assert errors == []


def test_deploy_check_with_the_production_example_has_no_https_warnings(tmp_path):
    """`manage.py check --deploy` with deploy/env.example: no W004 (HSTS), W008 (redirect)."""
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(_sourced(REPO / "deploy" / "env.example"))
    environ.update(
        SECRET_KEY="a-real-secret-from-the-operator-0123456789-abcdefghijklmnop",
        DAILYPAPERS_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    command = [sys.executable, "manage.py", "check", "--deploy"]
    result = subprocess.run(command, env=environ, cwd=REPO, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "security.W004" not in output and "security.W008" not in output, output
    assert "security.W009" not in output, output


def _sourced(path: Path) -> dict[str, str]:
    """The variables a shell (`set -a; . file`) exports from an env file."""
    script = f'set -a; . "{path}"; env -0'
    result = subprocess.run(["bash", "-c", script], env={}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    pairs = (item.partition("=") for item in result.stdout.split("\0") if item)
    return {name: value for name, _, value in pairs if name not in {"PWD", "SHLVL", "_"}}


def test_the_production_example_can_be_sourced_by_a_shell():
    """Operators load it with systemd's EnvironmentFile or `set -a; . file`: both must work."""
    values = _sourced(REPO / "deploy" / "env.example")
    assert values["DEFAULT_FROM_EMAIL"] == "Daily Papers <papers@example.org>"
