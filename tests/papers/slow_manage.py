"""``manage.py`` with every JSON Lines record parsed slowly, so a test can kill an import
mid-run: ``python tests/papers/slow_manage.py SECONDS import_jsonl ...``."""

from __future__ import annotations

import os
import sys
import time

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from papers.importers import jsonl

    delay, parse = float(sys.argv[1]), jsonl.parse_line

    def slow_parse_line(*args, **kwargs):
        time.sleep(delay)
        return parse(*args, **kwargs)

    jsonl.parse_line = slow_parse_line
    execute_from_command_line(["manage.py", *sys.argv[2:]])
