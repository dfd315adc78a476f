"""The ``dailypapers`` console script, modelled on ``hf papers``.

    dailypapers papers ls [--date D | --week W | --month M] [--sort S] [--limit N]
    dailypapers papers search QUERY [--mode M] [--limit N]
    dailypapers papers info ID
    dailypapers papers read ID
    dailypapers import hf|arxiv|jsonl|demo [ARGS...]
    dailypapers index rebuild|update|status [ARGS...]
    dailypapers digest send [ARGS...]
    dailypapers follow [--once] [--source arxiv|hf|github]
    dailypapers backup [PATH] / dailypapers restore PATH [ARGS...]
    dailypapers serve [--host H] [--port P]

The ``papers`` commands read the local database by default, or a dailypapers server's HTTP
API with ``--server URL`` (or ``DAILYPAPERS_SERVER``). Locally they run the very same API
handlers in-process, so both modes print the same data and the same error messages.
Output is a table for people, or the API's JSON with ``--json``.

Exit codes: 0 success, 1 not found or failed, 2 bad usage or invalid value.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from dailypapers.env import Setting, declare
from dailypapers.text import terminal_safe

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MAX_LIMIT = 100

# The console script's own settings, read when used: remote commands need no Django settings,
# and the traceback switch must work when loading them is what failed.
SERVER = declare(
    Setting("DAILYPAPERS_SERVER", "text", "", "CLI: the server remote commands talk to")
)
DEBUG_TRACEBACKS = declare(
    Setting(
        "DAILYPAPERS_DEBUG",
        "boolean",
        False,
        "CLI and `manage.py`: show the traceback of an unexpected error or a bad setting",
    )
)


class CliError(Exception):
    """A failure to report in one line, with the exit code to leave with."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    import django

    django.setup()


# --------------------------------------------------------------------------- transports


@dataclass
class Reply:
    status: int
    content_type: str
    text: str

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            raise CliError("The server answered with something that is not JSON.") from None


class Transport(Protocol):
    def get(self, path: str, params: dict[str, Any] | None = None) -> Reply: ...


class LocalTransport:
    """Runs API handlers in-process against the local database (no server, no network)."""

    def __init__(self) -> None:
        _setup_django()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Reply:
        from django.conf import settings
        from django.contrib.auth.models import AnonymousUser
        from django.db import DatabaseError
        from django.test import RequestFactory
        from django.urls import Resolver404, resolve

        hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*"))]
        request = RequestFactory().get(path, params or {}, HTTP_HOST=(hosts or ["localhost"])[0])
        request.user = AnonymousUser()
        try:
            match = resolve(path)
        except Resolver404:
            return Reply(404, "text/plain", f"Nothing at {path}")
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except DatabaseError as exc:
            raise CliError(
                f"The local database is not ready ({exc}). Run `dailypapers serve` once, or "
                "`python manage.py migrate`, or use --server URL."
            ) from None
        return Reply(
            response.status_code, response.get("Content-Type", ""), response.content.decode()
        )


class RemoteTransport:
    """The HTTP API of a dailypapers server (or anything HF-compatible for the reads)."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise CliError(f"--server must be an http(s) URL, not '{base_url}'.", EXIT_USAGE)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def get(self, path: str, params: dict[str, Any] | None = None) -> Reply:
        import requests

        url = self.base_url + path
        try:
            response = requests.get(
                url,
                params={k: v for k, v in (params or {}).items() if v is not None},
                timeout=self.timeout,
                headers={"User-Agent": "dailypapers-cli"},
            )
        except requests.Timeout:
            raise CliError(f"{self.base_url} did not answer within {self.timeout:g} s.") from None
        except requests.ConnectionError:
            raise CliError(f"Cannot reach {self.base_url}: is the server running?") from None
        except requests.RequestException as exc:
            raise CliError(f"Request to {url} failed: {exc}") from None
        return Reply(response.status_code, response.headers.get("Content-Type", ""), response.text)


def transport_for(args: argparse.Namespace) -> Transport:
    server = getattr(args, "server", None) or SERVER.read()
    if server:
        return RemoteTransport(server, timeout=getattr(args, "timeout", 30.0))
    return LocalTransport()


def checked(reply: Reply) -> Reply:
    """``reply`` if it succeeded, else a CliError with the server's own explanation."""
    if 200 <= reply.status < 300:
        return reply
    message = reply.text.strip()[:300]
    if "json" in reply.content_type:
        with contextlib.suppress(ValueError, AttributeError):
            message = str(json.loads(reply.text).get("error") or message)
    if reply.status == 404:
        raise CliError(message or "Not found.", EXIT_FAILED)
    if 400 <= reply.status < 500:
        raise CliError(message or f"Request refused ({reply.status}).", EXIT_USAGE)
    raise CliError(f"The server failed ({reply.status}); try again later.", EXIT_FAILED)


# --------------------------------------------------------------------------- output


def _width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """Aligned columns; the last column (a title) is cut to fit the terminal."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers[:-1])]
    room = max(20, _width() - sum(widths) - 2 * len(widths))
    for row in [headers, *rows]:
        last = row[-1] if len(row[-1]) <= room else row[-1][: room - 1] + "…"
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        print("  ".join([*cells, last]).rstrip())


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _paper_row(item: dict[str, Any]) -> list[str]:
    paper = item.get("paper", item)
    day = (paper.get("submittedOnDailyAt") or paper.get("publishedAt") or "")[:10]
    return [
        str(paper.get("id", "")),
        day,
        str(paper.get("upvotes", 0)),
        str(item.get("numComments", "")),
        _one_line(paper.get("title") or item.get("title")),
    ]


# --------------------------------------------------------------------------- papers commands


def papers_ls(args: argparse.Namespace) -> int:
    params = {
        "date": args.date,
        "week": args.week,
        "month": args.month,
        "sort": args.sort,
        "limit": args.limit,
        "p": args.page,
        "submitter": args.submitter,
    }
    params = {key: value for key, value in params.items() if value is not None}
    items = checked(transport_for(args).get("/api/daily_papers", params)).json()
    if args.json:
        print_json(items)
    elif not items:
        print("No papers for this period.", file=sys.stderr)
    else:
        print_table(["ID", "DATE", "UPVOTES", "COMMENTS", "TITLE"], [_paper_row(i) for i in items])
    return EXIT_OK


def papers_search(args: argparse.Namespace) -> int:
    params = {"q": args.query, "limit": args.limit, "mode": args.mode}
    items = checked(transport_for(args).get("/api/papers/search", params)).json()
    if args.json:
        print_json(items)
    elif not items:
        print(f"No papers match '{args.query}'.", file=sys.stderr)
    else:
        print_table(["ID", "DATE", "UPVOTES", "COMMENTS", "TITLE"], [_paper_row(i) for i in items])
    return EXIT_OK


def papers_info(args: argparse.Namespace) -> int:
    paper = checked(transport_for(args).get(f"/api/papers/{quote(args.id, safe='/:')}")).json()
    if args.json:
        print_json(paper)
        return EXIT_OK
    authors = ", ".join(a.get("name", "") for a in paper.get("authors", []) if not a.get("hidden"))
    fields = [
        ("ID", paper.get("id")),
        ("Title", _one_line(paper.get("title"))),
        ("Authors", authors),
        ("Published", (paper.get("publishedAt") or "")[:10]),
        ("On the feed", (paper.get("submittedOnDailyAt") or "")[:10]),
        ("Upvotes", paper.get("upvotes")),
        ("Organization", (paper.get("organization") or {}).get("fullname")),
        ("GitHub", paper.get("githubRepo")),
        ("Project page", paper.get("projectPage")),
        ("arXiv", f"https://arxiv.org/abs/{paper.get('id')}"),
    ]
    for label, value in fields:
        if value not in (None, ""):
            print(f"{label + ':':<14}{value}")
    for title, text in (
        ("Abstract", paper.get("summary")),
        ("AI summary", paper.get("ai_summary")),
    ):
        if text:
            print(f"\n{title}:\n" + textwrap.fill(_one_line(text), width=min(_width(), 100)))
    return EXIT_OK


def papers_read(args: argparse.Namespace) -> int:
    reply = checked(transport_for(args).get(f"/papers/{quote(args.id, safe='/:')}.md"))
    if args.json:
        print_json({"id": args.id, "markdown": reply.text})
    else:
        sys.stdout.write(reply.text)
    return EXIT_OK


# --------------------------------------------------------------------------- local commands


def run_management_command(name: str, label: str, argv: list[str]) -> int:
    """Run ``manage.py name argv...`` as ``dailypapers label argv...`` (same options)."""
    _setup_django()
    from django.core.management import get_commands, load_command_class
    from django.core.management.base import CommandError

    app = get_commands().get(name)
    if app is None:
        raise CliError(f"This installation has no '{name}' command.")
    command = load_command_class(app, name)
    command._called_from_command_line = True  # parse errors: usage + exit 2, not exceptions
    parser = command.create_parser("dailypapers", label)
    options = vars(parser.parse_args(argv))
    args = options.pop("args", ())
    try:
        command.execute(*args, **options)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.returncode or EXIT_FAILED
    return EXIT_OK


def _local_only(args: argparse.Namespace) -> None:
    if getattr(args, "server", None):
        raise CliError(
            f"'{args.command}' works on the local database only; run it on the server "
            "itself (drop --server).",
            EXIT_USAGE,
        )


def import_command(args: argparse.Namespace) -> int:
    _local_only(args)
    name = "load_demo" if args.kind == "demo" else f"import_{args.kind}"
    return run_management_command(name, f"import {args.kind}", args.args)


def index_command(args: argparse.Namespace) -> int:
    _local_only(args)
    return run_management_command("search_index", "index", [args.action, *args.args])


def digest_command(args: argparse.Namespace) -> int:
    _local_only(args)
    return run_management_command("send_digests", "digest send", args.args)


def follow_command(args: argparse.Namespace) -> int:
    _local_only(args)
    return run_management_command("follow", "follow", args.args)


def backup_command(args: argparse.Namespace) -> int:
    _local_only(args)
    return run_management_command(args.command, args.command, args.args)


def serve(args: argparse.Namespace) -> int:
    _local_only(args)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command, get_commands

    call_command("migrate", verbosity=0)
    if "load_demo" in get_commands():
        call_command("load_demo", if_empty=True)
    mismatch = site_url_mismatch(settings.SITE_URL, args.host, args.port)
    if mismatch:
        print(f"warning: {mismatch}", file=sys.stderr, flush=True)
    start_follow_loop()
    print(f"Serving on http://{args.host}:{args.port}/papers", flush=True)
    os.execv(*_gunicorn_argv(args))
    return EXIT_OK  # not reached: execv replaces this process


def start_follow_loop() -> subprocess.Popen[bytes] | None:
    """When a live source is enabled, run ``follow`` beside the server in a child process.

    The child stops with ``serve``: it watches its parent's pid (the server, once execv has
    replaced this process) and, on Linux, the kernel sends it SIGTERM when the parent dies.
    """
    from sources.follow import enabled_sources

    names = enabled_sources()
    if not names:
        return None
    script = Path(sys.executable).with_name("dailypapers")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "dailypapers.cli"]
    argv = [*command, "follow", "--no-progress", "--exit-with-parent", str(os.getpid())]
    print(f"Following {', '.join(names)} in the background (pid ", end="", flush=True)
    child = subprocess.Popen(argv, preexec_fn=_die_with_parent)
    print(f"{child.pid})", flush=True)
    return child


def _die_with_parent() -> None:
    """In the child before exec: ask Linux for SIGTERM when the parent dies (elsewhere the
    child notices through its parent pid within a second)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_ALL_INTERFACES = {"0.0.0.0", "::", ""}


def site_url_mismatch(site_url: str, host: str, port: int) -> str | None:
    """Why links built from ``SITE_URL`` (Markdown, feeds, mail, API avatars) will not reach
    a server bound to ``host:port``, or None when they may. A public host name is taken to
    sit behind a reverse proxy, whose port is its own business; a local one must match."""
    parsed = urlsplit(site_url)
    try:
        site_port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError:
        return f"SITE_URL {site_url} has no valid port."
    site_host = parsed.hostname or ""
    local = site_host in _LOOPBACK or site_host in _ALL_INTERFACES
    if (local or site_host == host) and site_port != port:
        return (
            f"SITE_URL is {site_url} but this server listens on port {port}: links in "
            f"Markdown, feeds, emails and the API will point elsewhere. Set SITE_URL to the "
            f"address people use, e.g. http://{site_host or '127.0.0.1'}:{port}."
        )
    if local and host not in _LOOPBACK:
        return (
            f"SITE_URL is {site_url} but this server listens on {host}:{port} for other "
            "machines: they cannot follow links to their own localhost. Set SITE_URL to "
            "this machine's public address."
        )
    return None


def _gunicorn_argv(args: argparse.Namespace) -> tuple[str, list[str]]:
    """The production server (gunicorn + whitenoise), sized for a laptop by default.

    One worker with threads keeps the demo under ~400 MB (each worker process loads its own
    embedding model); ``--workers`` scales it up on a bigger machine.
    """
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    config = str(Path(__file__).with_name("gunicorn.conf.py"))
    argv = [gunicorn, "-c", config, "--bind", f"{args.host}:{args.port}"]
    argv += ["--workers", str(args.workers), "--threads", str(args.threads)]
    return gunicorn, argv


# --------------------------------------------------------------------------- parser


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


def _positive(text: str) -> int:
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def _limit(text: str) -> int:
    value = _whole_number(text)
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_LIMIT} (got {value})")
    return value


def _page(text: str) -> int:
    value = _whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError("pages count from 0")
    return value


def _common_options() -> argparse.ArgumentParser:
    """--server/--json/--timeout, accepted before or after the command (SUPPRESS keeps a
    value given before the command from being reset by the subcommand's default)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--server",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="use this dailypapers server's API instead of the local database "
        "(default: $DAILYPAPERS_SERVER)",
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print the API's JSON"
    )
    common.add_argument(
        "--timeout", type=float, default=argparse.SUPPRESS, help="seconds to wait for --server"
    )
    return common


def _add_papers_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    papers = sub.add_parser("papers", help="list, search, show and read papers")
    psub = papers.add_subparsers(dest="papers_command", required=True, metavar="COMMAND")

    ls = psub.add_parser("ls", parents=[common], help="papers on the daily feed")
    period = ls.add_mutually_exclusive_group()
    period.add_argument("--date", help="a day, YYYY-MM-DD (default: the latest day)")
    period.add_argument("--week", help="an ISO week, YYYY-Www")
    period.add_argument("--month", help="a month, YYYY-MM")
    ls.add_argument("--sort", choices=["publishedAt", "trending"], help="default: upvotes")
    ls.add_argument("--limit", type=_limit, default=50, help="1-100 (default 50)")
    ls.add_argument("--page", type=_page, default=None, help="page, from 0")
    ls.add_argument("--submitter", help="only papers submitted by this username")
    ls.set_defaults(func=papers_ls)

    search = psub.add_parser("search", parents=[common], help="search papers")
    search.add_argument("query")
    search.add_argument("--mode", choices=["hybrid", "keyword", "semantic"], default="hybrid")
    search.add_argument("--limit", type=_limit, default=20, help="1-100 (default 20)")
    search.set_defaults(func=papers_search)

    info = psub.add_parser("info", parents=[common], help="details of one paper")
    info.add_argument("id", help="arXiv id or URL")
    info.set_defaults(func=papers_info)

    read = psub.add_parser("read", parents=[common], help="the paper page as Markdown")
    read.add_argument("id", help="arXiv id or URL")
    read.set_defaults(func=papers_read)


def _add_local_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    rest = {"nargs": argparse.REMAINDER, "help": "options of the underlying command (see -h)"}
    imp = sub.add_parser("import", parents=[common], help="import papers into the database")
    imp.add_argument("kind", choices=["hf", "arxiv", "jsonl", "demo"])
    imp.add_argument("args", **rest)
    imp.set_defaults(func=import_command)

    index = sub.add_parser("index", parents=[common], help="manage the search indexes")
    index.add_argument("action", choices=["rebuild", "update", "status"])
    index.add_argument("args", **rest)
    index.set_defaults(func=index_command)

    digest = sub.add_parser("digest", parents=[common], help="email digests")
    digest.add_argument("action", choices=["send"])
    digest.add_argument("args", **rest)
    digest.set_defaults(func=digest_command)

    follow = sub.add_parser(
        "follow",
        parents=[common],
        help="fetch new papers from the enabled live sources",
        add_help=False,
    )
    follow.add_argument("args", **rest)
    follow.set_defaults(func=follow_command)

    for name, text in (("backup", "back up the database"), ("restore", "restore a backup")):
        command = sub.add_parser(name, parents=[common], help=text, add_help=False)
        command.add_argument("args", **rest)
        command.set_defaults(func=backup_command)

    p_serve = sub.add_parser(
        "serve", parents=[common], help="run the web service (loads the demo data on first run)"
    )
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    p_serve.add_argument("--workers", type=_positive, default=1, help="server processes (1)")
    p_serve.add_argument("--threads", type=_positive, default=4, help="threads per process (4)")
    p_serve.set_defaults(func=serve)


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="dailypapers",
        description="Daily Papers from the command line.",
        epilog="Exit codes: 0 success, 1 not found or failed, 2 bad usage.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_papers_commands(sub, common)
    _add_local_commands(sub, common)
    return parser


PASSTHROUGH = ("backup", "restore", "follow")


def parse_args(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Like ``parser.parse_args``, but everything after ``backup``, ``restore`` or ``follow``
    goes to the underlying command untouched (argparse would claim ``--help`` and the like)."""
    for index, token in enumerate(argv):
        if token in PASSTHROUGH:
            args = parser.parse_args(argv[: index + 1])
            args.args = argv[index + 1 :]
            return args
        if not token.startswith("-") and argv[index - 1 : index] not in (
            ["--server"],
            ["--timeout"],
        ):
            break  # another command: nothing to pass through
    return parser.parse_args(argv)


class TerminalSafeStream:
    """A text stream that passes everything written through ``terminal_safe``: the CLI
    prints data from the database or a remote server, which must not be able to retitle,
    clear or recolour the terminal. stderr keeps carriage returns (progress bars)."""

    def __init__(self, stream: Any, keep_carriage_return: bool = False) -> None:
        self.stream = stream
        self.keep_carriage_return = keep_carriage_return

    def write(self, text: str) -> int:
        self.stream.write(terminal_safe(text, keep_carriage_return=self.keep_carriage_return))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding, ...
        return getattr(self.stream, name)


@contextlib.contextmanager
def terminal_safe_output() -> Any:
    """Route sys.stdout and sys.stderr through ``TerminalSafeStream`` for the block."""
    saved = sys.stdout, sys.stderr
    sys.stdout = TerminalSafeStream(saved[0])
    sys.stderr = TerminalSafeStream(saved[1], keep_carriage_return=True)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def debug_tracebacks() -> bool:
    """Whether DAILYPAPERS_DEBUG asks for tracebacks (a malformed value asks for them too)."""
    try:
        return DEBUG_TRACEBACKS.read()
    except ImproperlyConfigured:
        return True


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    with terminal_safe_output():
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args = parse_args(parser, sys.argv[1:] if argv is None else list(argv))
        args.json = getattr(args, "json", False)
        args.timeout = getattr(args, "timeout", 30.0)
        return args.func(args)
    except SystemExit as exit_:  # argparse (usage errors: 2, --help: 0)
        return exit_.code if isinstance(exit_.code, int) else EXIT_FAILED
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `dailypapers papers ls | head`
        return EXIT_OK
    except Exception as exc:  # a bug or a broken installation: one line, not a traceback
        if debug_tracebacks():
            raise
        print(
            f"error: {type(exc).__name__}: {exc} (set DAILYPAPERS_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
