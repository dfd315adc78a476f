"""Comments: safe Markdown, replies one level deep, edit/delete own, curator hide, counts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from community import services
from community.models import AuditLog, Comment
from community.rendering import render_markdown
from tests.community.conftest import HTMX

pytestmark = pytest.mark.django_db


def post_comment(client, paper, body: str, headers=None, **fields):
    url = reverse("community:comment_create", args=[paper.arxiv_id])
    return client.post(url, {"body": body, **fields}, **(headers or {}))


def test_comment_is_rendered_from_markdown_and_counted(owner_client, paper, frozen):
    response = post_comment(owner_client, paper, "Nice **result**, see [code](https://x.org)")
    comment = Comment.objects.get()
    assert response["Location"] == f"{paper.get_absolute_url()}#comment-{comment.pk}"
    assert "<strong>result</strong>" in comment.body_html
    assert 'href="https://x.org"' in comment.body_html
    assert 'rel="nofollow noopener"' in comment.body_html
    assert comment.created_at == frozen
    paper.refresh_from_db()
    assert paper.num_comments == 1


def test_markdown_keeps_code_lists_and_emphasis():
    html = render_markdown("*em* `x<y`\n\n- one\n- two\n\n```\nprint(1)\n```")
    assert "<em>em</em>" in html
    assert "<code>x&lt;y</code>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<pre><code>print(1)" in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "![x](https://evil.example/x.png)",
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_xss_payloads_are_inert(owner_client, paper, payload):
    post_comment(owner_client, paper, payload)
    page = owner_client.get(paper.get_absolute_url()).content.decode()
    html = Comment.objects.get().body_html
    # Inert means: no live tag, no event-handler attribute, no script URL (escaped text is fine).
    assert not re.search(r"<(script|img|iframe)\b", html)
    assert not re.search(r"<a\s[^>]*href=\"\s*javascript", html, re.IGNORECASE)
    assert not re.search(r"<[a-z][^>]*\son\w+=", html)
    assert "<script>alert" not in page
    assert "<img src=x" not in page


def test_empty_and_too_long_comments_are_refused_with_a_message(owner_client, paper, settings):
    response = post_comment(owner_client, paper, "   ")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("required" in m.lower() or "empty" in m.lower() for m in messages)

    response = post_comment(owner_client, paper, "x" * (settings.COMMENT_MAX_LENGTH + 1), HTMX)
    assert response.status_code == 400
    assert f"at most {settings.COMMENT_MAX_LENGTH} characters" in response.content.decode()
    assert not Comment.objects.exists()


def test_replies_are_one_level_deep(owner, other, paper):
    top = services.add_comment(owner, paper, "top")
    reply = services.add_comment(other, paper, "reply", parent=top)
    nested = services.add_comment(owner, paper, "reply to reply", parent=reply)
    assert reply.parent_id == top.pk
    assert nested.parent_id == top.pk
    paper.refresh_from_db()
    assert paper.num_comments == 3


def test_reply_through_the_form_and_htmx_returns_the_section(other_client, owner, paper):
    top = services.add_comment(owner, paper, "top")
    response = post_comment(other_client, paper, "a reply", HTMX, parent=top.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="community-section"' in html
    assert "a reply" in html
    assert Comment.objects.get(body="a reply").parent_id == top.pk


def test_reply_to_comment_on_another_paper_is_refused(owner, paper):
    from tests.factories import make_paper

    elsewhere = services.add_comment(owner, make_paper(), "elsewhere")
    with pytest.raises(services.CommunityError):
        services.add_comment(owner, paper, "x", parent=elsewhere)


def test_owner_edits_own_comment(owner_client, owner, paper):
    comment = services.add_comment(owner, paper, "typo")
    url = reverse("community:comment_edit", args=[comment.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(url, {"body": "fixed *now*"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "fixed *now*"
    assert "<em>now</em>" in comment.body_html
    assert comment.edited_at is not None


def test_outsider_cannot_edit_or_delete(other_client, owner, paper):
    comment = services.add_comment(owner, paper, "mine")
    edit = other_client.post(reverse("community:comment_edit", args=[comment.pk]), {"body": "x"})
    delete = other_client.post(reverse("community:comment_delete", args=[comment.pk]))
    assert edit.status_code == 403
    assert delete.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "mine" and comment.deleted_at is None


def test_owner_soft_deletes_and_count_drops_once(owner_client, owner, paper):
    comment = services.add_comment(owner, paper, "regret")
    url = reverse("community:comment_delete", args=[comment.pk])
    owner_client.post(url)
    owner_client.post(url)
    comment.refresh_from_db()
    paper.refresh_from_db()
    assert comment.deleted_at is not None
    assert comment.body == "regret"  # kept for moderation, not shown
    assert paper.num_comments == 0
    assert "regret" not in owner_client.get(paper.get_absolute_url()).content.decode()


def test_deleted_top_comment_keeps_its_replies_visible(owner, other, other_client, paper):
    top = services.add_comment(owner, paper, "question")
    services.add_comment(other, paper, "answer", parent=top)
    services.delete_comment(owner, top)
    page = other_client.get(paper.get_absolute_url()).content.decode()
    assert "answer" in page
    assert "question" not in page
    assert "deleted by its author" in page


def test_curator_hides_any_comment_and_it_is_audited(curator_client, curator, owner, paper):
    comment = services.add_comment(owner, paper, "spam spam")
    response = curator_client.post(reverse("community:comment_hide", args=[comment.pk]))
    assert response.status_code == 302
    comment.refresh_from_db()
    paper.refresh_from_db()
    assert comment.hidden
    assert paper.num_comments == 0
    log = AuditLog.objects.get(action="hide_comment")
    assert log.actor == curator and log.target_id == str(comment.pk)

    curator_client.post(reverse("community:comment_hide", args=[comment.pk]), {"hidden": "0"})
    paper.refresh_from_db()
    assert paper.num_comments == 1


def test_non_curator_cannot_hide(other_client, owner, paper):
    comment = services.add_comment(owner, paper, "fine")
    response = other_client.post(reverse("community:comment_hide", args=[comment.pk]))
    assert response.status_code == 403
    comment.refresh_from_db()
    assert not comment.hidden


def test_anonymous_comment_goes_to_login(anonymous, paper):
    response = post_comment(anonymous, paper, "hi")
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Comment.objects.exists()


def test_comment_count_is_shown_on_cards(owner, paper, client, frozen):
    services.add_comment(owner, paper, "one")
    services.add_comment(owner, paper, "two")
    html = client.get("/papers/trending?period=week").content.decode()
    assert 'aria-label="2 comments"' in html


def test_imported_comment_count_is_explained_when_none_are_local(client, paper):
    paper.imported_comments = paper.num_comments = 2
    paper.save()
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "2 comments on the source site (Hugging Face); none here yet" in html
