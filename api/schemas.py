"""Pydantic schemas of the API, used for the OpenAPI document at /api/openapi.json.

The Hugging Face-compatible endpoints serialize with ``papers.serializers`` (keys that HF
omits when empty are omitted here too); these schemas describe that shape for clients.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field

from dailypapers.text import clean_text


def _clean(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


# Text a client sends: control characters are removed before the length limits apply, so
# a value made only of them is as empty as "" (and NUL never reaches the database).
CleanStr = Annotated[str, BeforeValidator(_clean)]


class Error(Schema):
    error: str = Field(description="What went wrong, in words a person understands")


class _Open(Schema):
    # HF objects carry more keys than documented here; clients must tolerate extras.
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class HfUser(_Open):
    id_: str | None = Field(None, alias="_id")
    name: str = Field(description="Username")
    fullname: str
    type: str = "user"
    avatarUrl: str | None = None
    user: str | None = Field(None, description="Username again (HF's submittedOnDailyBy)")
    isPro: bool | None = None


class HfOrganization(_Open):
    id_: str = Field(alias="_id")
    name: str = Field(description="Organization slug")
    fullname: str
    avatar: str | None = None


class HfAuthor(_Open):
    id_: str = Field(alias="_id")
    name: str
    hidden: bool
    status: str | None = Field(None, description="'claimed_verified' when a user claimed it")
    statusLastChangedAt: str | None = None
    user: HfUser | None = None


class HfPaper(_Open):
    id: str = Field(description="arXiv id without version", examples=["2502.04507"])
    title: str
    summary: str = Field(description="The abstract")
    authors: list[HfAuthor]
    publishedAt: str | None = Field(description="arXiv publication time, ISO 8601 UTC")
    upvotes: int
    discussionId: str
    submittedOnDailyAt: str | None = None
    submittedOnDailyBy: HfUser | None = None
    githubRepo: str | None = None
    githubStars: int | None = None
    projectPage: str | None = None
    ai_summary: str | None = None
    ai_keywords: list[str] | None = None
    organization: HfOrganization | None = None
    mediaUrls: list[str] | None = None


class DailyItem(_Open):
    paper: HfPaper
    publishedAt: str | None = Field(description="When the paper was put on the daily feed")
    title: str
    summary: str
    thumbnail: str
    numComments: int
    submittedBy: HfUser | None = None
    isAuthorParticipating: bool
    organization: HfOrganization | None = None
    mediaUrls: list[str] | None = None


class Ok(Schema):
    ok: bool = True


class VoteOut(Schema):
    id: str = Field(description="arXiv id")
    upvotes: int
    upvoted: bool = Field(description="Whether the caller now upvotes the paper")


def example(**fields: Any) -> dict[str, Any]:
    """A compact ``openapi_extra`` examples helper for request bodies."""
    return {"requestBody": {"content": {"application/json": {"example": fields}}}}
