"""``import_arxiv``: Atom and OAI-PMH files, and the live harvest against a local server that
replays recorded arXiv API responses (paging, a 503, interruption and resume)."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command

from papers.importers.arxiv_fetch import ArxivClient, ArxivUnavailable, fetch_arxiv_ids
from papers.models import DailyEntry, ImportCheckpoint, Paper
from papers.signals import papers_changed

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
API = FIXTURES / "arxiv_api"
FETCH_ARGS = ("--fetch", "--category", "cs.CL", "--category", "cs.CV",
              "--from", "2025-03-20", "--to", "2025-03-20", "--page-size", "2")  # fmt: skip

Responder = Callable[[dict[str, str]], tuple[int, bytes]]


@pytest.fixture(autouse=True)
def _no_index_receivers():
    with mock.patch.object(papers_changed, "receivers", []):
        yield


class RecordedArxiv:
    """A local stand-in for export.arxiv.org/api/query; ``respond`` decides each answer."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.times: list[float] = []
        self.respond: Responder = self.pages

    @staticmethod
    def pages(params: dict[str, str]) -> tuple[int, bytes]:
        page = API / f"page_start_{params.get('start', '0')}.xml"
        return (200, page.read_bytes()) if page.exists() else (404, b"")


@pytest.fixture
def arxiv(settings) -> Iterator[RecordedArxiv]:
    recorded = RecordedArxiv()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            params = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            recorded.requests.append(params)
            recorded.times.append(time.monotonic())
            status, body = recorded.respond(params)
            self.send_response(status)
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ARXIV_API_URL = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    settings.ARXIV_REQUEST_DELAY = 0
    yield recorded
    server.shutdown()
    server.server_close()


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_arxiv", *args, "--no-progress", "--backoff", "0", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- files ----------------------------------------------------------------------------


def test_atom_files_map_every_field():
    out, _ = run(*(str(p) for p in sorted(API.glob("page_start_*.xml"))))
    assert "added 5, updated 0, unchanged 0, rejected 0" in out
    paper = Paper.objects.get(arxiv_id="2503.14728")
    assert paper.title == (
        "Strategic resource allocation in memory encoding: An efficiency principle "
        "shaping language processing"
    )  # arXiv's line wrapping is undone
    assert paper.abstract.startswith("How is the limited capacity of working memory")
    assert "\n" not in paper.abstract
    assert (paper.version, paper.source, paper.primary_category) == (1, "arxiv", "cs.CL")
    assert paper.published_at == dt.datetime(2025, 3, 20, 17, 59, 11, tzinfo=dt.UTC)
    assert paper.comment
    assert paper.authorships.count() >= 1
    assert not DailyEntry.objects.exists()  # arXiv papers are searchable, not on the feed


def test_oai_pmh_records_and_deleted_ones():
    out, err = run(str(FIXTURES / "oai" / "list_records.xml"))
    assert "added 2, updated 0, unchanged 0, rejected 1" in out
    assert "record 1: header: record deleted upstream" in err
    paper = Paper.objects.get(arxiv_id="2503.15057")
    assert paper.categories and paper.primary_category == paper.categories[0]
    assert paper.published_at.date() == dt.date(2025, 3, 20)
    first = paper.authorships.order_by("position").first()
    assert first is not None and " " in first.author.name  # "Forenames Keyname"


def test_api_error_entries_and_non_xml_files(tmp_path: Path):
    junk = tmp_path / "junk.xml"
    junk.write_text("<html><body>Service Unavailable</body></html>")
    broken = tmp_path / "broken.xml"
    broken.write_text("<feed")
    err = StringIO()
    with pytest.raises(CommandError, match="2 input"):
        call_command("import_arxiv", str(API / "error.xml"), str(junk), str(broken),
                     "--no-progress", stdout=StringIO(), stderr=err)  # fmt: skip
    assert "entry 0: id: incorrect id format for 2503.1x" in err.getvalue()
    assert "junk.xml: not an arXiv Atom feed or OAI-PMH response" in err.getvalue()
    assert "broken.xml: not well-formed XML" in err.getvalue()


def test_arxiv_import_keeps_fields_only_hf_has(tmp_path: Path):
    hf = FIXTURES / "hf" / "2026-08-20.json"
    call_command("import_hf", str(hf), "--no-progress", stdout=StringIO(), stderr=StringIO())
    paper = Paper.objects.exclude(github_repo="").exclude(ai_summary="").first()
    assert paper is not None
    xml = tmp_path / "same_paper.xml"
    xml.write_text((API / "id_list.xml").read_text().replace("2503.15044", paper.arxiv_id))
    out, _ = run(str(xml))
    assert "updated 1" in out
    updated = Paper.objects.get(pk=paper.pk)
    assert (updated.github_repo, updated.ai_summary) == (paper.github_repo, paper.ai_summary)
    assert (updated.upvotes, updated.source, updated.version) == (paper.upvotes, "hf", 2)
    assert updated.title != paper.title  # arXiv's metadata did update what it provides


# --- live harvest ---------------------------------------------------------------------


def test_fetch_pages_through_all_results(arxiv: RecordedArxiv):
    out, _ = run(*FETCH_ARGS)
    assert "added 5, updated 0, unchanged 0, rejected 0" in out
    assert [r["start"] for r in arxiv.requests] == ["0", "2", "4"]
    query = arxiv.requests[0]
    assert query["search_query"] == (
        "(cat:cs.CL OR cat:cs.CV) AND submittedDate:[202503200000 TO 202503202359]"
    )
    assert (query["max_results"], query["sortBy"]) == ("2", "submittedDate")
    assert Paper.objects.count() == 5
    assert ImportCheckpoint.objects.get().state["complete"] is True
    out, _ = run(*FETCH_ARGS)
    assert "already complete" in out
    assert len(arxiv.requests) == 3


def test_fetch_retries_a_503(arxiv: RecordedArxiv):
    failures = iter([503])

    def flaky(params: dict[str, str]) -> tuple[int, bytes]:
        if params["start"] == "2" and (status := next(failures, None)):
            return status, b"busy"
        return RecordedArxiv.pages(params)

    arxiv.respond = flaky
    out, err = run(*FETCH_ARGS)
    assert "added 5," in out
    assert "arXiv: HTTP 503; retry 1/4" in err
    assert [r["start"] for r in arxiv.requests] == ["0", "2", "2", "4"]


def test_interrupted_fetch_resumes_where_it_stopped(arxiv: RecordedArxiv):
    arxiv.respond = lambda p: (500, b"") if p["start"] == "2" else RecordedArxiv.pages(p)
    with pytest.raises(CommandError, match="re-run the same command to continue"):
        run(*FETCH_ARGS, "--retries", "1")
    assert Paper.objects.count() == 2
    assert ImportCheckpoint.objects.get().state == {"start": 2, "total": 5}
    arxiv.requests.clear()
    arxiv.respond = RecordedArxiv.pages
    out, _ = run(*FETCH_ARGS)
    assert [r["start"] for r in arxiv.requests] == ["2", "4"]
    assert "added 3, updated 0, unchanged 0" in out
    assert Paper.objects.count() == 5


def test_requests_are_spaced_by_the_delay(arxiv: RecordedArxiv):
    run(*FETCH_ARGS, "--delay", "0.3")
    gaps = [b - a for a, b in zip(arxiv.times, arxiv.times[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.29


def test_bad_fetch_options_are_clear_errors():
    with pytest.raises(CommandError, match="--category"):
        run("--fetch", "--from", "2025-01-01", "--to", "2025-01-02")
    with pytest.raises(CommandError, match="not a date"):
        run("--fetch", "--category", "cs.CL", "--from", "2025-02-30", "--to", "2025-03-01")
    with pytest.raises(CommandError, match="after"):
        run("--fetch", "--category", "cs.CL", "--from", "2025-03-02", "--to", "2025-03-01")
    with pytest.raises(CommandError, match="XML files"):
        run()


# --- look-ups for "submit a paper" ----------------------------------------------------


def test_fetch_arxiv_ids_returns_records(arxiv: RecordedArxiv):
    arxiv.respond = lambda params: (200, (API / "id_list.xml").read_bytes())
    records = fetch_arxiv_ids(["2503.15044"])
    assert [(r.arxiv_id, r.version) for r in records] == [("2503.15044", 2)]
    assert arxiv.requests[0]["id_list"] == "2503.15044"
    assert records[0].title and records[0].authors


def test_fetch_arxiv_ids_leaves_out_unknown_ids(arxiv: RecordedArxiv):
    arxiv.respond = lambda params: (200, (API / "error.xml").read_bytes())
    assert fetch_arxiv_ids(["2503.1x"]) == []


def test_fetch_arxiv_ids_raises_when_arxiv_is_down(arxiv: RecordedArxiv):
    arxiv.respond = lambda params: (503, b"")
    with pytest.raises(ArxivUnavailable, match="HTTP 503"):
        fetch_arxiv_ids(["2503.15044"], ArxivClient.from_settings(retries=1, backoff=0))
    assert len(arxiv.requests) == 2
    arxiv.respond = lambda params: (200, b"<html>maintenance</html>")
    with pytest.raises(ArxivUnavailable, match="unusable answer"):
        fetch_arxiv_ids(["2503.15044"], ArxivClient.from_settings(retries=0))


def test_fetch_arxiv_ids_raises_when_unreachable(settings):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.ARXIV_API_URL = f"http://127.0.0.1:{port}/api/query"
    settings.ARXIV_REQUEST_DELAY = 0
    with pytest.raises(ArxivUnavailable, match="ConnectionError"):
        fetch_arxiv_ids(["2503.15044"], ArxivClient.from_settings(retries=1, backoff=0))
