"""The WSGI entry point tunes CPython's cyclic garbage collector for serving (see
``dailypapers/wsgi.py``): startup objects frozen, a larger first threshold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent


def _after_import(tmp_path: Path, module: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ["DAILYPAPERS_DATA_DIR"] = str(tmp_path)
    code = (
        f"import gc, json, {module}; "
        "print(json.dumps({'threshold': gc.get_threshold(), 'frozen': gc.get_freeze_count(),"
        " 'tracked': len(gc.get_objects())}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=environ, cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_serving_process_freezes_startup_objects_and_raises_the_first_threshold(tmp_path):
    state = _after_import(tmp_path, "dailypapers.wsgi")
    assert state["threshold"] == [10_000, 10, 10]
    # Django, the URLconf and the warmed templates: tens of thousands of objects that no
    # collection walks any more; what is left to collect is what requests create.
    assert state["frozen"] > 20_000
    assert state["tracked"] < state["frozen"] / 10


def test_other_processes_keep_the_default_collector(tmp_path):
    state = _after_import(tmp_path, "dailypapers.settings")
    assert state["threshold"] == [700, 10, 10]
    assert state["frozen"] == 0
