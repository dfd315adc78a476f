"""Hostile imported records: odd organization names, control characters, unsafe links.

Each test imports what an attacker controlling an upstream file could send, then renders
what visitors see: nothing may fail, bad parts are cleaned or dropped with a message.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import feedparser
import pytest
import time_machine
from django.core.management import call_command

from papers.models import DailyEntry, Organization, Paper
from search.service import rebuild_index

pytestmark = pytest.mark.django_db
DAY = "2026-03-02"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-03-03 12:00Z", tick=False):
        yield


def hf_item(arxiv_id: str = "2603.00001", **paper: object) -> dict:
    item = {
        "id": arxiv_id,
        "title": "Hostile paper",
        "summary": "An abstract about robust parsing.",
        "authors": [{"_id": "a1", "name": "Ada Lovelace", "hidden": False}],
        "publishedAt": f"{DAY}T10:00:00.000Z",
        "upvotes": 3,
    }
    item.update(paper)
    return {"paper": item, "title": item["title"], "numComments": 0}


def import_items(tmp_path: Path, *items: dict) -> str:
    path = tmp_path / f"{DAY}.json"
    path.write_text(json.dumps(list(items)))
    out, err = StringIO(), StringIO()
    call_command("import_hf", str(path), "--no-progress", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_organization_name_with_a_slash_gets_a_safe_slug_and_pages_render(client, tmp_path):
    org = {"_id": "o1", "name": "slash/org", "fullname": "Slash Org"}
    import_items(tmp_path, hf_item(organization=org))
    rebuild_index()
    stored = Organization.objects.get()
    assert "/" not in stored.slug and stored.slug.startswith("slashorg-")
    assert stored.name == "Slash Org"
    for path in ("/papers/2603.00001", f"/papers/date/{DAY}", "/papers/search?q=hostile"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'href="/organizations/{stored.slug}"'.encode() in response.content, path
    assert client.get(f"/organizations/{stored.slug}").status_code == 200
    assert client.get(f"/feeds/organizations/{stored.slug}.xml").status_code == 200
    # Re-importing finds the same organization instead of creating another one.
    import_items(tmp_path, hf_item(organization=org, upvotes=4))
    assert Organization.objects.count() == 1


def test_names_that_slugify_alike_stay_two_organizations(tmp_path):
    import_items(
        tmp_path,
        hf_item("2603.00001", organization={"name": "a/b"}),
        hf_item("2603.00002", organization={"name": "a.b"}),
        hf_item("2603.00003", organization={"name": "///"}),
    )
    slugs = sorted(Organization.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 3
    assert any(slug.startswith("org-") for slug in slugs)


def test_a_stored_slug_no_url_can_carry_does_not_fail_the_page(client):
    """Rows written before slugs were derived safely still render (linking to a search)."""
    org = Organization.objects.create(slug="old/slug", name="Old Org")
    from tests.factories import make_daily_paper

    entry = make_daily_paper(DAY, organization=org)
    response = client.get(f"/papers/{entry.paper.arxiv_id}")
    assert response.status_code == 200
    assert b'href="/papers/search?q=Old+Org"' in response.content
    assert client.get(f"/papers/date/{DAY}").status_code == 200


def test_control_characters_are_stripped_at_import_and_feeds_stay_valid(client, tmp_path):
    item = hf_item(
        title="Null\x00 title\x0b here",
        summary="Abstract with NUL\x00, bell\x07 and a form feed\x0c inside.",
        authors=[{"_id": "a1", "name": "Ada\x01 Lovelace", "hidden": False}],
        ai_keywords=["key\x02word"],
    )
    output = import_items(tmp_path, item)
    assert "added 1" in output
    paper = Paper.objects.get()
    assert paper.title == "Null title here"
    assert paper.abstract == "Abstract with NUL, bell and a form feed inside."
    assert paper.ai_keywords == ["keyword"]
    assert list(paper.authors.values_list("name", flat=True)) == ["Ada Lovelace"]
    for path in ("/feeds/daily.xml", "/feeds/daily.atom"):
        response = client.get(path)
        assert response.status_code == 200, path
        feed = feedparser.parse(response.content)
        assert feed.bozo == 0 and feed.entries[0].title == "Null title here"


def test_a_title_made_only_of_control_characters_is_rejected_with_a_message(tmp_path):
    output = import_items(tmp_path, hf_item(title="\x00\x01\x02"))
    assert "rejected 1" in output and "title" in output
    assert not Paper.objects.exists()


@pytest.mark.parametrize("scheme", ["javascript:alert(1)", "data:text/html,x", "vbscript:x"])
def test_links_that_are_not_http_are_dropped_with_a_message(client, tmp_path, scheme):
    item = hf_item(
        githubRepo=scheme,
        projectPage="https://project.example.org/",
        organization={"name": "acme", "avatar": scheme},
        submittedOnDailyBy={"user": "eve", "fullname": "Eve", "avatarUrl": scheme},
    )
    item["mediaUrls"] = [scheme, "https://cdn.example.org/video.mp4"]
    item["thumbnail"] = scheme
    output = import_items(tmp_path, item)
    assert "added 1" in output
    for field in ("github_repo", "thumbnail", "organization.avatar", "mediaUrls"):
        assert f"dropped {field} of" in output, field
    paper = Paper.objects.get()
    assert paper.github_repo == "" and paper.thumbnail == ""
    assert paper.project_page == "https://project.example.org/"
    assert paper.extra["mediaUrls"] == ["https://cdn.example.org/video.mp4"]
    assert paper.organization.avatar_url == ""
    assert DailyEntry.objects.get().submitter_avatar == ""
    body = client.get("/api/papers/2603.00001").content + client.get("/api/daily_papers").content
    assert scheme.encode() not in body


def test_huge_fields_are_rejected_with_a_message(tmp_path):
    output = import_items(tmp_path, hf_item(summary="x" * 60_000))
    assert "rejected 1" in output and "abstract: longer than 50,000" in output


def test_the_migration_gives_stored_bad_slugs_the_slug_an_import_derives(tmp_path):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("papers.migrations.0003_safe_organization_slugs")
    Organization.objects.create(slug="slash/org", name="Slash Org")
    Organization.objects.create(slug="google", name="Google")
    migration.safe_slugs(apps, None)
    slugs = set(Organization.objects.values_list("slug", flat=True))
    assert "google" in slugs and "slash/org" not in slugs
    import_items(tmp_path, hf_item(organization={"name": "slash/org", "fullname": "Slash Org"}))
    assert Organization.objects.count() == 2
    assert Paper.objects.get().organization.name == "Slash Org"


def test_the_migration_drops_stored_links_that_are_not_http():
    from importlib import import_module

    from django.apps import apps

    from tests.factories import make_entry, make_paper

    migration = import_module("papers.migrations.0004_drop_unsafe_links")
    org = Organization.objects.create(slug="acme", name="Acme", avatar_url="javascript:alert(1)")
    bad = make_entry(make_paper(organization=org), DAY, submitter_avatar="javascript:alert(2)")
    good = make_entry(make_paper(), DAY, submitter_avatar="/avatars/ok.svg")
    Paper.objects.filter(pk=bad.paper_id).update(
        extra={"mediaUrls": ["javascript:alert(3)", "https://cdn.example.org/v.mp4"], "k": 1}
    )
    migration.drop_unsafe_links(apps, None)
    org.refresh_from_db()
    assert org.avatar_url == ""
    assert DailyEntry.objects.get(pk=bad.pk).submitter_avatar == ""
    assert DailyEntry.objects.get(pk=good.pk).submitter_avatar == "/avatars/ok.svg"
    extra = Paper.objects.get(pk=bad.paper_id).extra
    assert extra == {"mediaUrls": ["https://cdn.example.org/v.mp4"], "k": 1}


def test_the_admin_accepts_only_http_links():
    from django.core.exceptions import ValidationError

    org = Organization(slug="acme", name="Acme", avatar_url="ftp://files.example.org/a.png")
    with pytest.raises(ValidationError, match="avatar_url"):
        org.full_clean()
