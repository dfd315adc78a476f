#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A bad setting is an operator's typo: say which, as the dailypapers CLI does.
        from dailypapers.cli import debug_tracebacks

        if debug_tracebacks():
            raise
        sys.exit(f"error: ImproperlyConfigured: {exc} (set DAILYPAPERS_DEBUG=1 for details)")
