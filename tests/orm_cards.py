"""Cards built by walking plain ORM instances: the reference ``papers.cards`` is checked against."""

from __future__ import annotations

from django.db.models import Max

from papers.cards import (
    CardAuthor,
    CardAuthorship,
    CardEntry,
    CardOrganization,
    CardUser,
    PaperCard,
)
from papers.models import Paper


def _user(user) -> CardUser | None:
    if user is None:
        return None
    return CardUser(user.pk, user.username, user.first_name, user.last_name, user.is_staff)


def _claimed_at(authorship):
    approved = authorship.claims.filter(user=authorship.claimed_by, status="approved")
    return approved.aggregate(at=Max("decided_at"))["at"]


def orm_card(paper_pk: int) -> PaperCard:
    paper = Paper.objects.get(pk=paper_pk)
    org = paper.organization
    organization = org and CardOrganization(org.pk, org.slug, org.name, org.hf_id, org.avatar_url)
    authorships = tuple(
        CardAuthorship(
            a.pk,
            a.hf_id,
            a.hidden,
            a.status,
            CardAuthor(a.author.name, a.author.slug),
            _user(a.claimed_by),
            _claimed_at(a),
        )
        for a in paper.authorships.order_by("position")
    )
    entries = tuple(
        CardEntry(
            pk=e.pk,
            paper_id=e.paper_id,
            date=e.date,
            submitted_at=e.submitted_at,
            created_at=e.created_at,
            submitted_by=_user(e.submitted_by),
            submitter_name=e.submitter_name,
            submitter_fullname=e.submitter_fullname,
            submitter_avatar=e.submitter_avatar,
            submitter_comment=e.submitter_comment,
            featured=e.featured,
        )
        for e in paper.daily_entries.filter(hidden=False).order_by("-date")
    )
    return PaperCard(
        pk=paper.pk,
        arxiv_id=paper.arxiv_id,
        title=paper.title,
        abstract=paper.abstract,
        published_at=paper.published_at,
        updated_at=paper.updated_at,
        primary_category=paper.primary_category,
        categories=paper.categories,
        upvotes=paper.upvotes,
        num_comments=paper.num_comments,
        github_repo=paper.github_repo,
        github_stars=paper.github_stars,
        project_page=paper.project_page,
        thumbnail=paper.thumbnail,
        ai_summary=paper.ai_summary,
        ai_keywords=paper.ai_keywords,
        extra=paper.extra,
        organization=organization,
        authorships=authorships,
        feed_entries=entries,
    )
