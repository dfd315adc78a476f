#!/usr/bin/env python3
"""Zero-setup entry point for a fresh clone (needs only Python 3.11+ and pip).

    python3 dev.py serve      # the service on http://127.0.0.1:8000 with the demo data
    python3 dev.py test       # lint + the whole test suite (extra args go to pytest)

It creates ``.venv`` and installs the pinned dependencies the first time, and again
only when ``requirements.lock`` or ``pyproject.toml`` change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent
VENV = REPO / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".dailypapers-install-stamp"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.lock", "pyproject.toml"):
        digest.update((REPO / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    print("Installing pinned dependencies into .venv (first run only) ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", "requirements.lock", "-e", ".[dev]"], check=True, cwd=REPO)
    STAMP.write_text(_fingerprint())


def _run(argv: list[str]) -> int:
    return subprocess.run(argv, cwd=REPO).returncode


def serve(args: list[str]) -> int:
    return _run([str(BIN / "dailypapers"), "serve", *args])


def test(args: list[str]) -> int:
    for check in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
        if _run([str(BIN / check[0]), *check[1:]]) != 0:
            print(f"dev.py test: `{' '.join(check)}` failed", file=sys.stderr)
            return 1
    return _run([str(BIN / "python"), "-m", "pytest", *args])


COMMANDS = {"serve": serve, "test": test}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    os.chdir(REPO)
    ensure_environment()
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
