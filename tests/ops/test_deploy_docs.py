"""docs/deploy.md's settings table is the registry's; the deploy/ examples are well-formed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from dailypapers.env import REGISTRY
from dailypapers.management.commands.settings_table import declared_settings, documented_table

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "deploy.md").read_text()
# Reading the environment: os.environ.get(...), os.getenv(...), os.environ[...] (not a write).
_ENV_READ = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[[^\]]+\](?!\s*=[^=])")
_DECLARATION = re.compile(r"\b(?:env_(?:str|bool|int|float|list|choice)|declare)\(")
# The settings module declares every setting; the console script declares its own two.
DECLARING = {"dailypapers/env.py", "dailypapers/settings.py", "dailypapers/cli.py"}


def _app_sources() -> list[Path]:
    skip = {".venv", "tests", "bench", ".git", "node_modules"}
    return [
        path
        for path in REPO.rglob("*.py")
        if not skip & set(path.relative_to(REPO).parts) and "migrations" not in path.parts
    ]


def test_the_settings_table_is_generated_from_the_registry(tmp_path: Path) -> None:
    """A different data dir and a different environment must give the same table: a default
    that depends on the machine needs a shown_default."""
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ |= {"DAILYPAPERS_DATA_DIR": str(tmp_path), "DIGEST_SEND_HOUR": "9"}
    result = subprocess.run(
        [sys.executable, "manage.py", "settings_table"],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == documented_table(DOC), (
        "docs/deploy.md's settings table differs from the declarations: run "
        "`python manage.py settings_table --write` (and describe new settings with doc=)"
    )


def test_every_setting_is_documented() -> None:
    declared = declared_settings()
    assert len(declared) > 60
    assert "DIGEST_SEND_HOUR" in REGISTRY and "GUNICORN_BIND" in REGISTRY
    undocumented = [setting.name for setting in declared if not setting.doc.strip()]
    assert not undocumented, f"give these a doc= line where they are declared: {undocumented}"


def test_settings_are_read_only_through_the_registry() -> None:
    readers, declarers = [], []
    for path in _app_sources():
        name, text = str(path.relative_to(REPO)), path.read_text()
        if name != "dailypapers/env.py" and _ENV_READ.search(text):
            readers.append(name)
        if name not in DECLARING and _DECLARATION.search(text):
            declarers.append(name)
    assert not readers, f"read settings through dailypapers/env.py, not os.environ: {readers}"
    assert not declarers, f"declare settings in dailypapers/settings.py: {declarers}"


def test_compose_file_has_web_worker_postgres_redis() -> None:
    compose = yaml.safe_load((REPO / "deploy" / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "postgres", "redis"} <= set(services)
    assert "gunicorn" in (REPO / "deploy" / "Dockerfile").read_text()
    assert "worker" in services["worker"]["command"]
    assert services["web"]["environment"]["TASKS_BACKEND"] == "database"


def test_systemd_units_run_the_documented_commands() -> None:
    web = (REPO / "deploy" / "dailypapers-web.service").read_text()
    worker = (REPO / "deploy" / "dailypapers-worker@.service").read_text()
    for unit in (web, worker):
        assert "[Service]" in unit and "[Install]" in unit
        assert "EnvironmentFile=/etc/dailypapers.env" in unit
    assert "gunicorn -c dailypapers/gunicorn.conf.py" in web
    assert "manage.py migrate" in web
    assert "manage.py worker" in worker
    follow = (REPO / "deploy" / "dailypapers-follow.service").read_text()
    assert "manage.py follow" in follow and "EnvironmentFile=/etc/dailypapers.env" in follow
    assert not (REPO / "deploy" / "dailypapers-import.timer").exists()  # replaced by follow


def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    """systemd's own checker (unknown keys, bad values, missing binaries) on every unit, with
    the install path pointed at this checkout so the commands exist."""
    import shutil
    import subprocess

    import pytest

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed (.ci/run installs Debian's systemd)")
    units = sorted((REPO / "deploy").glob("*.service")) + sorted((REPO / "deploy").glob("*.timer"))
    for unit in units:
        text = unit.read_text().replace("/srv/dailypapers", str(REPO))
        (tmp_path / unit.name).write_text(text)
    names = [u.name.replace("@.service", "@1.service") for u in units]
    result = subprocess.run(
        [analyze, "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
