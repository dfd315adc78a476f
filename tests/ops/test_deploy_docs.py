"""docs/deploy.md documents every setting; the deploy/ examples are well-formed."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "deploy.md").read_text()
_ENV_CALL = re.compile(r"""(?:env_\w+|persistent_secret_key)\(\s*["']([A-Z][A-Z0-9_]+)["']""")
_OS_ENV = re.compile(r"""os\.environ(?:\.get)?[\(\[]\s*["']([A-Z][A-Z0-9_]+)["']""")


def _env_names(path: Path) -> set[str]:
    text = path.read_text()
    return set(_ENV_CALL.findall(text)) | set(_OS_ENV.findall(text))


def test_every_environment_variable_is_in_the_table() -> None:
    names = _env_names(REPO / "dailypapers" / "settings.py")
    names |= _env_names(REPO / "dailypapers" / "gunicorn.conf.py")
    names |= {"SECRET_KEY"}
    assert len(names) > 20
    table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", DOC, flags=re.M))
    missing = sorted(names - table)
    assert not missing, f"add these to the table in docs/deploy.md: {missing}"


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
