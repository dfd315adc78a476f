"""No module of the project reaches into private attributes or undocumented helpers of
Django or another library: a Django or library upgrade must not silently break it."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", ".git", "var", "__pycache__", "staticfiles"}
# Private attributes and undocumented functions of Django and other libraries.
FORBIDDEN = [
    r"\._state\b",
    r"\b_prefetched_objects_cache\b",
    r"\b_result_cache\b",
    r"\b_prefetch_done\b",
    r"\b_unmask_cipher_token\b",
    r"\b_mask_cipher_secret\b",
    r"\bforbid_multi_line_headers\b",
    r"\b_meta\.(?!(get_field|get_fields|concrete_fields|fields|db_table|pk|model_name|"
    r"app_label|verbose_name|verbose_name_plural|label|label_lower|object_name)\b)\w+",
    r"\bfields_cache\b",
    r"\bModelState\b",
    r"\brun_on_commit\b",
    r"\bexecute_wrappers\b",
    r"\bfrom django\.[\w.]+ import _\w+",
]
PATTERN = re.compile("|".join(f"(?:{p})" for p in FORBIDDEN))


def _sources() -> list[Path]:
    found = []
    for path in REPO.rglob("*.py"):
        parts = set(path.relative_to(REPO).parts)
        if not parts & SKIP:
            found.append(path)
    return found


def test_no_private_framework_internals() -> None:
    this = Path(__file__).resolve()
    hits = []
    for path in _sources():
        if path.resolve() == this:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if PATTERN.search(line):
                hits.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not hits, "private internals of Django or a library used:\n" + "\n".join(hits)


def test_the_check_finds_what_it_looks_for() -> None:
    for line in (
        "paper._state.db",
        "qs._result_cache = rows",
        "from django.middleware.csrf import _unmask_cipher_token",
        "forbid_multi_line_headers(name, value, 'utf-8')",
        "connection.run_on_commit",
        "Paper._meta._get_fields()",
    ):
        assert PATTERN.search(line), line
    assert not PATTERN.search("Paper._meta.db_table")
    assert not PATTERN.search("state = load_state()")
