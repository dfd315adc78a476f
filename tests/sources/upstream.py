"""A local fake of arXiv (OAI-PMH and API), Hugging Face and GitHub for the source tests.

An ``http.server`` in a thread of the test process answers in the upstreams' recorded
formats: OAI-PMH ``ListRecords`` pages in ``arXivRaw`` with resumption tokens, arXiv API
Atom, HF ``/api/daily_papers`` JSON (fixtures made from the shared HF data) and GitHub repo
JSON with ETags. ``faults`` queues one-shot misbehaviours by route.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
Answer = tuple[int, dict[str, str], bytes]


@dataclass
class RawPaper:
    """One arXiv record as the fake serves it in ``arXivRaw``."""

    arxiv_id: str
    title: str
    categories: str = "cs.CL"
    versions: int = 1
    datestamp: str = "2026-12-01"
    comments: str = ""
    last_size: str = "512kb"
    deleted: bool = False

    def xml(self) -> str:
        status = ' status="deleted"' if self.deleted else ""
        header = (
            f"<header{status}><identifier>oai:arXiv.org:{self.arxiv_id}</identifier>"
            f"<datestamp>{self.datestamp}</datestamp><setSpec>cs</setSpec></header>"
        )
        if self.deleted:
            return f"<record>{header}</record>"
        versions = "".join(
            f'<version version="v{n}"><date>Mon, {n} Dec 2026 10:00:00 GMT</date>'
            f"<size>{self.last_size if n == self.versions else '400kb'}</size>"
            "<source_type>D</source_type></version>"
            for n in range(1, self.versions + 1)
        )
        comments = f"<comments>{escape(self.comments)}</comments>" if self.comments else ""
        return (
            f"<record>{header}<metadata>"
            '<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/">'
            f"<id>{self.arxiv_id}</id><submitter>Ada Lovelace</submitter>{versions}"
            f"<title>{escape(self.title)}</title>"
            "<authors>Ada Lovelace (Analytical Engines), Charles Babbage and Grace Hopper</authors>"
            f"<categories>{self.categories}</categories>{comments}"
            f"<abstract>  Abstract of {escape(self.title)}.\n  Second line.</abstract>"
            "</arXivRaw></metadata></record>"
        )


def oai_page(records: list[RawPaper], token: str, total: int, response_date: str) -> bytes:
    token_xml = (
        f'<resumptionToken cursor="0" completeListSize="{total}">{token}</resumptionToken>'
        if token
        else '<resumptionToken cursor="0" completeListSize="{total}"/>'.replace(
            "{total}", str(total)
        )
    )
    body = "".join(record.xml() for record in records)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        f"<responseDate>{response_date}</responseDate>"
        '<request verb="ListRecords">http://localhost/oai</request>'
        f"<ListRecords>{body}{token_xml}</ListRecords></OAI-PMH>"
    ).encode()


def oai_error(code: str, text: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2026-12-03T10:00:00Z</responseDate>"
        f'<request verb="ListRecords">http://localhost/oai</request><error code="{code}">{text}'
        "</error></OAI-PMH>"
    ).encode()


@dataclass
class FakeUpstream:
    oai_records: list[RawPaper] = field(default_factory=list)
    oai_page_size: int = 2
    response_date: str = "2026-12-03T10:00:00Z"
    hf_days: dict[str, list[Any]] = field(default_factory=dict)
    github: dict[str, dict[str, Any]] = field(default_factory=dict)
    atom: dict[str, bytes] = field(default_factory=dict)
    page_delay: float = 0.0
    expired_tokens: set[str] = field(default_factory=set)
    faults: dict[str, list[Callable[[], Answer | None]]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- faults ------------------------------------------------------------------------

    def fault(self, route: str, answer: Callable[[], Answer | None]) -> None:
        """Answer the next request to ``route`` with ``answer()`` instead (once)."""
        self.faults.setdefault(route, []).append(answer)

    def _take_fault(self, route: str) -> Callable[[], Answer | None] | None:
        with self.lock:
            queue = self.faults.get(route) or []
            return queue.pop(0) if queue else None

    # --- routes ------------------------------------------------------------------------

    def answer(self, path: str, params: dict[str, str], headers: dict[str, str]) -> Answer:
        with self.lock:
            self.requests.append((path, params, headers))
        route = path.split("/")[1] if path.count("/") else path
        fault = self._take_fault(route)
        if fault is not None:
            faulty = fault()
            if faulty is not None:
                return faulty
        if path == "/oai":
            time.sleep(self.page_delay)
            return self._oai(params)
        if path == "/api/daily_papers":
            return self._hf(params)
        if path.startswith("/github/repos/"):
            return self._github(path.removeprefix("/github/repos/"), headers)
        if path == "/api/query":
            return self._atom(params)
        return 404, {}, b"not found"

    def _oai(self, params: dict[str, str]) -> Answer:
        token = params.get("resumptionToken", "")
        if token in self.expired_tokens:  # once: the restarted harvest gets a working token
            self.expired_tokens.discard(token)
            return 200, {}, oai_error("badResumptionToken", "expired")
        offset = int(token.removeprefix("tok-")) if token else 0
        wanted = [r for r in self.oai_records if r.datestamp >= params.get("from", "")]
        if token:
            wanted = self.oai_records
        page = wanted[offset : offset + self.oai_page_size]
        nxt = offset + self.oai_page_size
        next_token = f"tok-{nxt}" if nxt < len(wanted) else ""
        return 200, {}, oai_page(page, next_token, len(wanted), self.response_date)

    def _hf(self, params: dict[str, str]) -> Answer:
        items = self.hf_days.get(params.get("date", ""), [])
        limit, page = int(params.get("limit", 50)), int(params.get("p", 0))
        return (
            200,
            {"Content-Type": "application/json"},
            json.dumps(items[page * limit : (page + 1) * limit]).encode(),
        )

    def _github(self, repo: str, headers: dict[str, str]) -> Answer:
        data = self.github.get(repo.lower())
        if data is None:
            return 404, {}, b'{"message": "Not Found"}'
        etag = f'"{repo}-{data["stargazers_count"]}"'
        if headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"ETag": etag, "Content-Type": "application/json"}, json.dumps(data).encode()

    def _atom(self, params: dict[str, str]) -> Answer:
        ids = params.get("id_list", "").split(",")
        entries = b"".join(self.atom[i] for i in ids if i in self.atom)
        feed = (
            b'<feed xmlns="http://www.w3.org/2005/Atom" '
            b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            b'xmlns:arxiv="http://arxiv.org/schemas/atom"><opensearch:totalResults>'
            + str(len([i for i in ids if i in self.atom])).encode()
            + b"</opensearch:totalResults>"
            + entries
            + b"</feed>"
        )
        return 200, {"Content-Type": "application/atom+xml"}, feed

    def oai_requests(self) -> list[dict[str, str]]:
        return [params for path, params, _ in self.requests if path == "/oai"]


def atom_entry(arxiv_id: str, title: str, version: int = 1, comment: str = "") -> bytes:
    note = f"<arxiv:comment>{escape(comment)}</arxiv:comment>" if comment else ""
    return (
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}v{version}</id>"
        "<published>2026-12-01T10:00:00Z</published><updated>2026-12-01T10:00:00Z</updated>"
        f"<title>{escape(title)}</title><summary>About {escape(title)}.</summary>"
        "<author><name>Ada Lovelace</name></author>"
        '<arxiv:primary_category term="cs.CL"/><category term="cs.CL"/>'
        f"{note}</entry>"
    ).encode()


def hf_fixture(day: str) -> list[Any]:
    return json.loads((FIXTURES / f"hf_{day}.json").read_text())


def serve(fake: FakeUpstream) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            url = urlparse(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query).items()}
            status, headers, body = fake.answer(url.path, params, dict(self.headers))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
