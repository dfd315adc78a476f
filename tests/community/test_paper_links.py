"""Editing a paper's GitHub repository and project page (HF's POST /api/papers/{id}/links):
who may, what is accepted, the audit log, and the same as a form on the paper page."""

from __future__ import annotations

import pytest
from django.test import Client

from api.services import create_token
from community.models import AuditLog
from papers.models import Paper, PaperAuthor
from tests.factories import make_entry, make_paper, make_user

pytestmark = pytest.mark.django_db

REPO = "https://github.com/hao-ai-lab/FastVideo"


@pytest.fixture
def paper() -> Paper:
    return make_paper(
        arxiv_id="2502.04507", github_repo="https://github.com/old/repo", github_stars=5
    )


def _api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_token(user, 't')[1]}"})


def _post(user, body: dict) -> object:
    return _api(user).post("/api/papers/2502.04507/links", body, content_type="application/json")


def _claimed_author(paper: Paper):
    author = make_user("author")
    PaperAuthor.objects.filter(paper=paper, position=0).update(claimed_by=author)
    return author


def _submitter(paper: Paper):
    submitter = make_user("submitter")
    make_entry(paper, "2025-02-10", submitted_by=submitter)
    return submitter


@pytest.mark.parametrize(
    "who",
    [_claimed_author, _submitter, lambda paper: make_user("cura", is_staff=True)],
    ids=["claimed author", "submitter", "curator"],
)
def test_allowed_people_set_links_and_are_audited(paper, who):
    user = who(paper)
    response = _post(user, {"githubRepo": REPO + ".git", "projectPage": "https://fast.video/"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["githubRepo"], body["projectPage"]) == (REPO, "https://fast.video/")
    assert "githubStars" not in body  # the old repository's stars are gone
    assert body["githubRepoAddedBy"] == "user"
    paper.refresh_from_db()
    assert (paper.github_repo, paper.project_page, paper.github_stars) == (
        REPO,
        "https://fast.video/",
        None,
    )
    (entry,) = AuditLog.objects.filter(action="edit_links")
    assert entry.actor == user
    assert entry.target_id == str(paper.pk)
    assert entry.details == {
        "old": {"github_repo": "https://github.com/old/repo", "project_page": ""},
        "new": {"github_repo": REPO, "project_page": "https://fast.video/"},
    }


def test_left_out_fields_stay_and_empty_ones_clear(paper):
    author = _claimed_author(paper)
    assert _post(author, {"projectPage": "http://example.org/p"}).status_code == 200
    paper.refresh_from_db()
    assert paper.github_repo == "https://github.com/old/repo"
    assert _post(author, {"githubRepo": ""}).json().get("githubRepo") is None
    paper.refresh_from_db()
    assert (paper.github_repo, paper.project_page) == ("", "http://example.org/p")
    assert _post(author, {"projectPage": "http://example.org/p"}).status_code == 200
    assert AuditLog.objects.filter(action="edit_links").count() == 2  # no-op not logged


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"githubRepo": "https://gitlab.com/a/b"}, "not a GitHub repository URL"),
        ({"githubRepo": "https://github.com/only-owner"}, "not a GitHub repository URL"),
        ({"githubRepo": "https://github.com/a/b/tree/main"}, "not a GitHub repository URL"),
        ({"githubRepo": "ftp://github.com/a/b"}, "http:// or https://"),
        ({"projectPage": "javascript:alert(1)"}, "http:// or https://"),
        ({"projectPage": "https://"}, "http:// or https://"),
        ({"projectPage": "https://a.org/" + "x" * 600}, "500"),
    ],
)
def test_bad_links_are_refused_with_the_reason(paper, body, fragment):
    response = _post(_claimed_author(paper), body)
    assert response.status_code in (400, 422)
    assert fragment in str(response.json())
    paper.refresh_from_db()
    assert paper.github_repo == "https://github.com/old/repo"


def test_others_are_refused(paper, client):
    _claimed_author(paper)
    stranger = _post(make_user("stranger"), {"githubRepo": REPO})
    assert stranger.status_code == 403
    assert "claimed authors" in stranger.json()["error"]
    anonymous = client.post(
        "/api/papers/2502.04507/links", {"githubRepo": REPO}, content_type="application/json"
    )
    assert anonymous.status_code == 401
    assert _post(make_user("x"), {"githubRepo": REPO}).status_code == 403
    assert not AuditLog.objects.filter(action="edit_links").exists()


def test_the_paper_page_form(paper, client):
    author = _claimed_author(paper)
    stranger = make_user("stranger")
    client.force_login(stranger)
    assert b'id="links"' not in client.get("/papers/2502.04507").content
    refused = client.post("/papers/2502.04507/links", {"github_repo": REPO})
    assert refused.status_code == 302
    client.force_login(author)
    page = client.get("/papers/2502.04507").content.decode()
    assert 'id="links"' in page and 'value="https://github.com/old/repo"' in page
    saved = client.post(
        "/papers/2502.04507/links", {"github_repo": REPO, "project_page": "https://fast.video"}
    )
    assert (saved.status_code, saved["Location"]) == (302, "/papers/2502.04507#links")
    paper.refresh_from_db()
    assert (paper.github_repo, paper.project_page) == (REPO, "https://fast.video")
    bad = client.post("/papers/2502.04507/links", {"github_repo": "https://github.com/x"})
    assert bad.status_code == 302
    paper.refresh_from_db()
    assert paper.github_repo == REPO
    assert "not a GitHub repository URL" in client.get("/papers/2502.04507").content.decode()
