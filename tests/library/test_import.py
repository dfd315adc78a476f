"""Library import from BibTeX, CSL-JSON and id lists: matching by arXiv id / eprint / URL,
arXiv DOI and exact title; broken entries get a message each and lose nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from community.models import Collection
from library import services
from library.queries import library_paper_ids
from library.references import detect_format, parse
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _labels(problems) -> dict[str, str]:
    return {p.label: p.message for p in problems}


def test_bibtex_export_is_matched_by_every_identifier(papers, fixtures_dir):
    user = make_user()
    text = (fixtures_dir / "library" / "zotero.bib").read_text()
    report = services.import_library(user, text)
    expected = {"1706.03762", "2401.00002", "2401.00003", "2401.00004", "2401.00005"}
    assert set(report.added) == expected
    library = Collection.objects.get(owner=user, name="Library")
    assert not library.is_public
    assert set(library.papers.values_list("arxiv_id", flat=True)) == expected
    unmatched = _labels(report.unmatched)
    assert "not an arXiv DOI" in unmatched["journalDoi"]
    assert unmatched["unknownArxiv"].startswith("arXiv:2612.00042 is not in our database")
    problems = _labels(report.problems)
    assert problems["nothing"] == "It has no arXiv id, DOI or title to match."
    assert problems["brokenEntry"].startswith("Could not read this BibTeX entry")
    assert "same key" in problems["vaswani2017attention"]
    assert report.queued == []


def test_csl_json_export_is_matched_and_bad_items_reported(papers, fixtures_dir):
    user = make_user()
    text = (fixtures_dir / "library" / "zotero.json").read_text()
    report = services.import_library(user, text, filename="My Library.json")
    assert report.added == ["1706.03762", "2401.00004", "2401.00005"]
    assert _labels(report.problems) == {
        "no-identifier": "It has no arXiv id, DOI or title to match.",
        "entry 5": "It is not a JSON object.",
    }
    assert "no paper here has its exact title" in _labels(report.unmatched)["unmatched-title"]


def test_a_pasted_list_of_ids_and_urls(papers):
    user = make_user()
    text = "1706.03762\nhttps://arxiv.org/abs/2401.00002v3, arXiv:2401.00003 not-an-id"
    report = services.import_library(user, text)
    assert report.added == ["1706.03762", "2401.00002", "2401.00003"]
    assert _labels(report.problems) == {"not-an-id": "This is not an arXiv id or arXiv URL."}
    again = services.import_library(user, "1706.03762")
    assert (again.added, again.already) == ([], ["1706.03762"])


def test_a_paper_in_another_collection_is_still_added_to_the_library(papers):
    user = make_user()
    services.import_library(user, "1706.03762")
    assert library_paper_ids(user) == [papers["1706.03762"].pk]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "The import is empty"),
        ("[{]", "This is not valid CSL-JSON"),
        ('{"items": 3}', "CSL-JSON must be a list"),
    ],
)
def test_unusable_input_is_refused_with_the_reason(papers, text, message):
    with pytest.raises(services.ImportRefused, match=message):
        services.import_library(make_user(), text)


def test_size_and_entry_limits(papers, settings):
    user = make_user()
    settings.LIBRARY_IMPORT_MAX_BYTES = 1024
    with pytest.raises(services.ImportRefused, match="the limit is 1 KB"):
        services.import_library(user, "1706.03762\n" * 200)
    settings.LIBRARY_IMPORT_MAX_BYTES = 1024 * 1024
    settings.LIBRARY_IMPORT_MAX_ENTRIES = 2
    report = services.import_library(user, "1706.03762 2401.00002 2401.00003")
    assert len(report.added) == 2
    assert _labels(report.problems) == {
        "1 more entries": "Only the first 2 entries of an import are read; import the rest "
        "in another file."
    }


def test_format_detection():
    assert detect_format("@article{x, title={A}}") == "bibtex"
    assert detect_format("  [ {} ]") == "csl-json"
    assert detect_format("2401.00001") == "ids"
    assert detect_format("2401.00001", "lib.bib") == "bibtex"
    assert parse("@article{k, title={T}, note={See arXiv: 2401.00009v1}}").references[
        0
    ].arxiv_id == ("2401.00009")


def test_the_abstract_never_names_the_paper():
    found = parse("@article{k, title={T}, abstract={We extend arXiv:2401.00009.}}").references
    assert found[0].arxiv_id == ""


# --- the page --------------------------------------------------------------------------


def test_the_import_page_uploads_a_file_and_lists_every_entry(client: Client, papers, fixtures_dir):
    client.force_login(make_user())
    upload = SimpleUploadedFile(
        "export.bib", (fixtures_dir / "library" / "zotero.bib").read_bytes()
    )
    response = client.post("/library/import", {"file": upload, "format": "auto"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Added 5, already in your library 0" in body
    assert "brokenEntry" in body and "Could not read this BibTeX entry" in body
    assert "journalDoi" in body


def test_the_import_page_refuses_a_binary_file_and_an_empty_form(client: Client, papers):
    client.force_login(make_user())
    upload = SimpleUploadedFile("paper.pdf", b"%PDF-1.7\x00\x01\x02")
    response = client.post("/library/import", {"file": upload, "format": "auto"})
    assert response.status_code == 400
    assert "binary file" in response.content.decode()
    empty = client.post("/library/import", {"text": "", "format": "auto"})
    assert empty.status_code == 400
    assert "Upload a file or paste" in empty.content.decode()


def test_the_import_page_needs_an_account(client: Client):
    response = client.get("/library/import")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_pages_short_form_posts_ids_and_returns_there(client: Client, papers):
    user = make_user()
    client.force_login(user)
    response = client.post(
        "/library/import", {"ids": "1706.03762\nnope", "next": "/library?from=x"}, follow=True
    )
    assert response.redirect_chain == [("/library?from=x", 302)]
    assert "Added 1 papers to your library; nope: This is not an arXiv id" in (
        response.content.decode()
    )
    assert library_paper_ids(user) == [papers["1706.03762"].pk]
    elsewhere = client.post("/library/import", {"ids": "1706.03762", "next": "https://evil.test/"})
    assert elsewhere.status_code == 200  # not redirected off the site


def test_imports_are_rate_limited_per_user(client: Client, papers, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "library_import": (1, 3600)}
    client.force_login(make_user())
    assert client.post("/library/import", {"text": "1706.03762"}).status_code == 200
    refused = client.post("/library/import", {"text": "2401.00002"})
    assert refused.status_code == 429
    assert "Too many library import requests" in refused.content.decode()
