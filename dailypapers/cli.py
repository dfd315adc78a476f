"""The ``dailypapers`` console script (initial version: ``serve``; the CLI issue extends it)."""

from __future__ import annotations

import argparse
import os
import sys


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    import django

    django.setup()


def serve(args: argparse.Namespace) -> int:
    from django.core.management import call_command, get_commands

    call_command("migrate", verbosity=0)
    if "load_demo" in get_commands():
        call_command("load_demo", if_empty=True)
    print(f"Serving on http://{args.host}:{args.port}/papers", flush=True)
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dailypapers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_serve = sub.add_parser("serve", help="run the web service (loads the demo data on first run)")
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    p_serve.set_defaults(func=serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_django()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
