"""Fuzzing every importer with hostile records, then every page, feed and API endpoint
that shows them: no server error; each record is rejected with a message or stored clean.

Records mix control characters, lone surrogates, bidi overrides, slashes, huge fields,
script links and impossible dates into otherwise plausible HF JSON, JSON Lines, arXiv
Atom and OAI-PMH input. Examples are few and derandomized (same every run, well under a
minute); each starts from an empty database.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path
from typing import Any

import feedparser
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailypapers.text import safe_url
from papers.models import Author, DailyEntry, Organization, Paper
from papers.slugs import is_safe_slug

pytestmark = pytest.mark.django_db

FRAGMENTS = [
    "\x00",
    "\x01\x02",
    "\x0b\x0c",
    "\x1b]0;title\x07",
    "\x1b[2J",
    "\x7f\x85\x9b",
    "\ud800",
    "\udfff",
    "\ufffe\uffff",
    "\u202e",
    "\ufeff",
    "\u200b",
    "\U0001d54f 日本語 é",
    "a/b",
    "../..",
    "/",
    "<script>alert(1)</script>",
    "&amp;",
    "]]>",
    '"quoted"',
    "x" * 60_000,
    "   ",
]
URLS = [
    *[None] * 4,
    "",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<b>x</b>",
    "//evil.example.org/x",
    "vbscript:x",
    "https://ok.example.org/page",
    "http://" + "a" * 600,
    "https://例え.jp/パス",
    "/avatars/rel.svg",
    "http://exa mple.org",
]
# Plausible values repeated: most records must be stored, so the pages have them to show.
DATES = [
    *["2026-03-02T10:00:00.000Z"] * 6,
    None,
    "2026-03-02",
    "9999-12-31T23:59:59Z",
    "0001-01-01",
    "1900-01-01T00:00:00Z",
    "2026-02-30",
    "not a date",
    "2026-03-02T10:00:00+14:00",
]
IDS = [*(f"2603.0000{n}" for n in range(1, 8)), "hep-th/9901001", "2603.00001v2", "bad/../id"]

text = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(FRAGMENTS)), max_size=3).map("".join)
words = st.lists(st.one_of(st.sampled_from(["sparse", "attention"]), text), min_size=1, max_size=3)
title = words.map(" ".join)
url = st.sampled_from(URLS)
date = st.sampled_from(DATES)
arxiv_id = st.sampled_from(IDS)
authors = st.lists(text, max_size=3)


@st.composite
def hf_item(draw: st.DrawFn) -> dict[str, Any]:
    paper = {
        "id": draw(arxiv_id),
        "title": draw(title),
        "summary": draw(text),
        "authors": [{"_id": "a", "name": name, "hidden": False} for name in draw(authors)],
        "publishedAt": draw(date),
        "githubRepo": draw(url),
        "projectPage": draw(url),
        "submittedOnDailyAt": draw(date),
        "submittedOnDailyBy": {"user": draw(text), "fullname": draw(text), "avatarUrl": draw(url)},
        "organization": {"name": draw(text), "fullname": draw(text), "avatar": draw(url)},
        "ai_keywords": draw(st.lists(text, max_size=3)),
        "upvotes": draw(st.integers(-5, 10**6)),
    }
    item = {"paper": paper, "title": paper["title"], "thumbnail": draw(url)}
    return item | {"mediaUrls": [draw(url)]}


@st.composite
def jsonl_line(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "id": draw(arxiv_id),
        "title": draw(title),
        "abstract": draw(text),
        "authors": draw(st.one_of(authors, text)),
        "categories": draw(st.lists(text, max_size=2)),
        "primary_category": draw(text),
        "comment": draw(text),
        "listing_date": draw(date),
    }


def _xml_safe(value: str) -> str:
    """XML input cannot carry control characters at all (a file with them is unusable,
    which the importer reports as such): keep the rest of the hostility."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", value)


def atom_feed(entries: list[dict[str, Any]]) -> bytes:
    ns = "http://www.w3.org/2005/Atom"
    root = ET.Element(f"{{{ns}}}feed")
    for entry in entries:
        node = ET.SubElement(root, f"{{{ns}}}entry")
        ET.SubElement(node, f"{{{ns}}}id").text = f"http://arxiv.org/abs/{entry['id']}"
        ET.SubElement(node, f"{{{ns}}}title").text = _xml_safe(entry["title"])
        ET.SubElement(node, f"{{{ns}}}summary").text = _xml_safe(entry["abstract"])
        ET.SubElement(node, f"{{{ns}}}published").text = _xml_safe(entry["listing_date"] or "")
        for name in entry["authors"] if isinstance(entry["authors"], list) else []:
            author = ET.SubElement(node, f"{{{ns}}}author")
            ET.SubElement(author, f"{{{ns}}}name").text = _xml_safe(name)
    return ET.tostring(root, encoding="utf-8")


def oai_response(records: list[dict[str, Any]]) -> bytes:
    oai, meta_ns = "http://www.openarchives.org/OAI/2.0/", "http://arxiv.org/OAI/arXiv/"
    root = ET.Element(f"{{{oai}}}OAI-PMH")
    listing = ET.SubElement(root, f"{{{oai}}}ListRecords")
    for record in records:
        node = ET.SubElement(listing, f"{{{oai}}}record")
        ET.SubElement(node, f"{{{oai}}}header")
        meta = ET.SubElement(ET.SubElement(node, f"{{{oai}}}metadata"), f"{{{meta_ns}}}arXiv")
        ET.SubElement(meta, f"{{{meta_ns}}}id").text = record["id"]
        ET.SubElement(meta, f"{{{meta_ns}}}title").text = _xml_safe(record["title"])
        ET.SubElement(meta, f"{{{meta_ns}}}abstract").text = _xml_safe(record["abstract"])
        ET.SubElement(meta, f"{{{meta_ns}}}created").text = _xml_safe(record["listing_date"] or "")
        ET.SubElement(meta, f"{{{meta_ns}}}categories").text = _xml_safe(record["primary_category"])
    return ET.tostring(root, encoding="utf-8")


def _import(command: str, path: Path, *extra: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command(command, str(path), *extra, "--no-progress", stdout=out, stderr=err)
    except CommandError as error:  # an unusable file: reported, and the command fails
        assert "could not be used" in str(error)
        assert err.getvalue().startswith("error:"), err.getvalue()
    return out.getvalue(), err.getvalue()


def _counts(out: str) -> int:
    match = re.search(r"added (\d+), updated (\d+), unchanged (\d+), rejected (\d+)", out)
    return sum(int(n) for n in match.groups()) if match else 0


_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _check_stored_clean() -> None:
    for paper in Paper.objects.all():
        for value in (paper.title, paper.abstract, paper.comment, json.dumps(paper.extra)):
            assert not _UNSTORABLE.search(value), (paper.arxiv_id, value[:80])
        for link in (paper.github_repo, paper.project_page, paper.thumbnail):
            assert not link or safe_url(link), link
        for link in paper.extra.get("mediaUrls", []):
            assert safe_url(link), link
    for org in Organization.objects.all():
        assert is_safe_slug(org.slug) and not _UNSTORABLE.search(org.name)
        assert not org.avatar_url or safe_url(org.avatar_url)
    assert not any(_UNSTORABLE.search(a.name) for a in Author.objects.all())


def _pages() -> list[str]:
    paths = ["/papers", "/papers/trending", "/api/daily_papers", "/feeds/trending.xml"]
    for paper in Paper.objects.select_related("organization"):
        pid = paper.arxiv_id
        paths += [f"/papers/{pid}", f"/papers/{pid}.md", f"/api/papers/{pid}"]
        word = (paper.title.split() or ["x"])[0][:50]
        paths += [f"/papers/search?q={word}", f"/api/papers/search?q={word}"]
        paths += [a.get_absolute_url() for a in paper.authors.all()]
        if paper.organization:
            paths += [paper.organization.get_absolute_url()]
    for day in DailyEntry.objects.values_list("date", flat=True).distinct():
        paths += [f"/papers/date/{day}", f"/api/daily_papers?date={day}"]
    return paths


FEEDS = ["/feeds/daily.xml", "/feeds/daily.atom", "/feeds/search.xml?q=attention"]


def _render_everything(client: Client) -> None:
    for path in _pages():
        response = client.get(path, follow=True)
        assert response.status_code < 500, path
    organizations = Organization.objects.values_list("slug", flat=True)
    for path in [*FEEDS, *(f"/feeds/organizations/{slug}.xml" for slug in organizations)]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert feedparser.parse(response.content).bozo == 0, path


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(
    hf=st.lists(hf_item(), min_size=1, max_size=3),
    lines=st.lists(jsonl_line(), min_size=1, max_size=3),
)
def test_hostile_records_are_cleaned_or_rejected_and_every_page_renders(tmp_path, hf, lines):
    Paper.objects.all().delete()
    Organization.objects.all().delete()
    folder = tmp_path / str(len(list(tmp_path.iterdir())))
    folder.mkdir()
    (folder / "2026-03-02.json").write_text(json.dumps(hf))
    (folder / "papers.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    (folder / "feed.atom").write_bytes(atom_feed(lines))
    (folder / "oai.xml").write_bytes(oai_response(lines))
    client = Client(raise_request_exception=True)
    with time_machine.travel("2026-03-03 12:00Z", tick=False):
        out, err = _import("import_hf", folder / "2026-03-02.json")
        assert _counts(out) == len(hf), (out, err)
        out, err = _import("import_jsonl", folder / "papers.jsonl", "--daily")
        assert _counts(out) == len(lines), (out, err)
        _import("import_arxiv", folder / "feed.atom")
        _import("import_arxiv", folder / "oai.xml")
        _check_stored_clean()
        _render_everything(client)
