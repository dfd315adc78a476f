"""GET /api/papers/{id}, the Markdown export /papers/{id}.md and the avatar images."""

from __future__ import annotations

import pytest

from tests.factories import make_daily_paper, make_paper

pytestmark = pytest.mark.django_db


def test_paper_by_id_in_hf_shape(client):
    make_daily_paper("2025-02-10", arxiv_id="2502.04507", title="Sliding Tiles", upvotes=25)
    response = client.get("/api/papers/2502.04507")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "2502.04507"
    assert body["title"] == "Sliding Tiles"
    assert body["upvotes"] == 25
    assert [a["name"] for a in body["authors"]] == ["Ada Lovelace", "Alan Turing"]
    assert body["submittedOnDailyAt"].startswith("2025-02-10T")
    assert "ETag" in response


@pytest.mark.parametrize(
    "given", ["2502.04507v2", "arXiv:2502.04507", "https://arxiv.org/abs/2502.04507v1"]
)
def test_versions_and_urls_find_the_paper(client, given):
    make_paper(arxiv_id="2502.04507")
    response = client.get(f"/api/papers/{given}")
    assert response.status_code == 200
    assert response.json()["id"] == "2502.04507"


def test_old_style_ids_work(client):
    make_paper(arxiv_id="hep-th/9901001")
    response = client.get("/api/papers/hep-th/9901001v3")
    assert response.status_code == 200
    assert response.json()["id"] == "hep-th/9901001"
    assert client.get("/papers/hep-th/9901001.md").status_code == 200


def test_unknown_paper_is_a_json_404(client):
    response = client.get("/api/papers/2502.99999")
    assert response.status_code == 404
    assert response.json() == {"error": "No paper with arXiv id 2502.99999 here."}


def test_malformed_id_is_a_json_400(client):
    response = client.get("/api/papers/not-an-id")
    assert response.status_code == 400
    assert "is not an arXiv id" in response.json()["error"]


def test_paper_etag_gives_304(client):
    make_paper(arxiv_id="2502.04507")
    etag = client.get("/api/papers/2502.04507")["ETag"]
    again = client.get("/api/papers/2502.04507", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_markdown_export(client):
    make_daily_paper(
        "2025-02-10",
        arxiv_id="2502.04507",
        title="Fast Video Generation",
        abstract="We slide tiles.",
        github_repo="https://github.com/example/sta",
        github_stars=15,
        ai_summary="Faster attention.",
        ai_keywords=["attention", "video"],
    )
    response = client.get("/papers/2502.04507.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Fast Video Generation\n")
    assert "- **Authors:** Ada Lovelace, Alan Turing" in text
    assert "[PDF](https://arxiv.org/pdf/2502.04507)" in text
    assert "- **GitHub:** https://github.com/example/sta (15 stars)" in text
    assert "## Abstract\n\nWe slide tiles." in text
    assert "## AI summary\n\nFaster attention." in text
    assert "**Keywords:** attention, video" in text
    assert "On the daily feed:** 2025-02-10" in text
    assert "\n\n\n" not in text


def test_markdown_of_versioned_id_and_unknown_paper(client):
    make_paper(arxiv_id="2502.04507", title="Tiles")
    assert client.get("/papers/2502.04507v2.md").content.startswith(b"# Tiles")
    missing = client.get("/papers/2502.99999.md")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("accept", ["text/markdown", "text/markdown, text/html;q=0.5"])
def test_paper_page_answers_markdown_to_who_asks_for_it(client, settings, accept):
    settings.SITE_URL = "https://papers.example.org"
    make_paper(arxiv_id="2502.04507", title="Tiles")
    response = client.get("/papers/2502.04507", headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.content == client.get("/papers/2502.04507.md").content
    assert "- **Page:** https://papers.example.org/papers/2502.04507" in response.content.decode()
    assert "Accept" in response["Vary"]


@pytest.mark.parametrize("accept", ["text/html,application/xhtml+xml,*/*;q=0.8", "*/*", ""])
def test_paper_page_stays_html_for_browsers(client, accept):
    make_paper(arxiv_id="2502.04507", title="Tiles")
    headers = {"Accept": accept} if accept else {}
    response = client.get("/papers/2502.04507", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


@pytest.mark.parametrize("path", ["/papers/not-an-id.md", "/papers/25.02.md", "/papers/%3Cb%3E.md"])
def test_markdown_of_a_malformed_id_is_a_text_400(client, db, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"is not an arXiv id" in response.content


def test_whoami_links_use_site_url(token_client, settings):
    settings.SITE_URL = "https://papers.example.org"
    me = token_client.get("/api/whoami-v2").json()
    assert me["avatarUrl"] == "https://papers.example.org/avatars/alice.svg"


def test_avatar_is_an_svg_with_the_initial(client):
    response = client.get("/avatars/zoe.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b">Z</text>" in response.content


def test_markdown_includes_the_visible_discussion(client):
    from community.services import add_comment, delete_comment
    from tests.factories import make_user

    paper = make_paper(arxiv_id="2502.04507")
    ada, bob = make_user("ada"), make_user("bob")
    first = add_comment(ada, paper, "Great *results*.")
    add_comment(bob, paper, "Agreed.", parent=first)
    gone = add_comment(bob, paper, "Oops, wrong paper.")
    delete_comment(bob, gone)
    text = client.get("/papers/2502.04507.md").content.decode()
    assert "## Discussion" in text
    assert "**ada** (" in text and "Great *results*." in text
    assert "↳ **bob** (" in text and "Agreed." in text
    assert "Oops" not in text
