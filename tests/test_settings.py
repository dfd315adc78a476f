"""Settings come from environment variables and fail loudly on bad values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dailypapers import env

REPO = Path(__file__).resolve().parent.parent


def _load_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    # Start from the default database (CI's PostgreSQL run sets DATABASE_URL).
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(DAILYPAPERS_DATA_DIR=str(tmp_path), **variables)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='dailypapers.settings'; "
        "django.setup(); from django.conf import settings; "
        "d=settings.DATABASES['default']; print(d['ENGINE'], d['OPTIONS'].get('transaction_mode'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=environ, cwd=REPO, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT='twenty-five' is not an integer"),
        ("TASKS_BACKEND", "celery", "TASKS_BACKEND='celery' must be one of"),
        ("DATABASE_URL", "nosuchdb://x/y", "DATABASE_URL"),
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 32 characters"),
        (
            "SECRET_KEY",
            "change-me-to-a-long-random-string-of-at-least-32-characters",
            "SECRET_KEY is a placeholder",
        ),
        ("SECRET_KEY", "django-insecure-" + "k3y" * 12, "SECRET_KEY is a placeholder"),
        ("SECRET_KEY", "CHANGEME" * 5, "SECRET_KEY is a placeholder"),
        ("SECRET_KEY", "x" * 50, "SECRET_KEY has fewer than 5 different characters"),
        ("SEARCH_KEYWORD_MATCH", "all", "SEARCH_KEYWORD_MATCH='all' must be one of any, all-first"),
        ("DIGEST_SEND_HOUR", "24", "DIGEST_SEND_HOUR=24 must be at most 23"),
        ("DIGEST_WEEKLY_WEEKDAY", "9", "DIGEST_WEEKLY_WEEKDAY=9 must be at most 6"),
        ("DIGEST_WEEKLY_WEEKDAY", "-1", "DIGEST_WEEKLY_WEEKDAY=-1 must be at least 0"),
        ("EMAIL_PORT", "70000", "EMAIL_PORT=70000 must be at most 65535"),
        ("DB_CONN_MAX_AGE", "-5", "DB_CONN_MAX_AGE=-5 must be at least 0"),
        ("LOG_LEVEL", "verbose", "LOG_LEVEL='verbose' must be one of DEBUG, INFO, WARNING"),
        (
            "SEARCH_EMBEDDING_MODEL",
            "minilm-int8-256",
            "SEARCH_EMBEDDING_MODEL='minilm-int8-256' must be one of "
            "minilm-dq8-128, minilm-int8-128, minilm-int8",
        ),
        ("GUNICORN_THREADS", "0", "GUNICORN_THREADS=0 must be at least 1"),
        ("TIME_ZONE", "Mars/Base", "TIME_ZONE='Mars/Base' is not a time zone name"),
    ],
)
def test_bad_values_stop_start_up_with_the_reason(tmp_path, name, value, message):
    result = _load_settings(tmp_path, **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_the_key_in_the_deployment_example_is_refused(tmp_path):
    example = (REPO / "deploy" / "env.example").read_text()
    key = next(line for line in example.splitlines() if line.startswith("SECRET_KEY="))
    result = _load_settings(tmp_path, SECRET_KEY=key.partition("=")[2])
    assert result.returncode != 0
    assert "SECRET_KEY is a placeholder" in result.stderr


def _run(tmp_path: Path, command: list[str], **variables: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(DAILYPAPERS_DATA_DIR=str(tmp_path), **variables)
    return subprocess.run(
        command, env=environ, cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_manage_py_reports_a_bad_setting_without_a_traceback(tmp_path):
    command = [sys.executable, "manage.py", "check"]
    result = _run(tmp_path, command, SEARCH_KEYWORD_MATCH="all", DIGEST_SEND_HOUR="7")
    assert result.returncode == 1
    assert "SEARCH_KEYWORD_MATCH='all' must be one of any, all-first" in result.stderr
    assert "Traceback" not in result.stderr
    result = _run(tmp_path, command, DIGEST_SEND_HOUR="24")
    assert result.returncode == 1
    assert "DIGEST_SEND_HOUR=24 must be at most 23" in result.stderr


def test_gunicorn_stops_on_a_bad_setting_naming_it(tmp_path):
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "--check-config", "-c", "dailypapers/gunicorn.conf.py"]
    result = _run(tmp_path, command, GUNICORN_TIMEOUT="soon")
    assert result.returncode != 0
    assert "GUNICORN_TIMEOUT='soon' is not an integer" in result.stderr
    assert "Traceback" not in result.stderr


def test_sqlite_database_url_gets_wal_and_immediate_transactions(tmp_path):
    result = _load_settings(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "IMMEDIATE"]


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = env.persistent_secret_key(tmp_path)
    assert len(first) >= 50
    assert env.persistent_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.fixture
def registry(monkeypatch) -> dict[str, env.Setting]:
    """An empty registry for settings a test declares (the real one stays as loaded)."""
    fresh: dict[str, env.Setting] = {}
    monkeypatch.setattr(env, "REGISTRY", fresh)
    return fresh


def test_typed_readers(monkeypatch, registry):
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_INT", "0")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env.env_bool("X_BOOL", False) is True
    assert env.env_list("X_LIST", []) == ["a", "b", "c"]
    with pytest.raises(ImproperlyConfigured, match="X_INT=0 must be at least 1"):
        env.env_int("X_INT", 5, minimum=1)
    assert env.env_float("X_UNSET", 1.5) == 1.5
    assert set(registry) == {"X_BOOL", "X_LIST", "X_INT", "X_UNSET"}


def test_bounds_and_choices(monkeypatch, registry):
    monkeypatch.setenv("X_HOUR", "23")
    monkeypatch.setenv("X_SHARE", "1.01")
    monkeypatch.setenv("X_MODE", "  ")
    assert env.env_int("X_HOUR", 7, minimum=0, maximum=23) == 23
    with pytest.raises(ImproperlyConfigured, match=r"X_SHARE=1.01 must be at most 1"):
        env.env_float("X_SHARE", 0.5, minimum=0.0, maximum=1.0)
    assert env.env_choice("X_MODE", "fast", ("fast", "slow")) == "fast"  # blank: the default
    monkeypatch.setenv("X_MODE", "quick")
    with pytest.raises(ImproperlyConfigured, match="X_MODE='quick' must be one of fast, slow"):
        env.env_choice("X_MODE", "fast", ("fast", "slow"))
    assert registry["X_HOUR"].maximum == 23


def test_a_setting_is_declared_once(registry):
    env.env_int("X_SIZE", 3, doc="size")
    env.env_int("X_SIZE", 3, doc="size")  # settings.py imported again: same declaration
    with pytest.raises(ValueError, match="X_SIZE is declared twice"):
        env.env_int("X_SIZE", 3, doc="another meaning")
    with pytest.raises(ValueError, match="default 'medium' is not a choice"):
        env.env_choice("X_MODE", "medium", ("fast", "slow"))


def test_embedding_model_choices_are_the_search_models():
    from search.embedding import MODELS

    assert set(env.REGISTRY["SEARCH_EMBEDDING_MODEL"].choices) == set(MODELS)
