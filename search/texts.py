"""The text of papers as the indexes see it: title, abstract and author names, read from the
database in bounded chunks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch

from papers.models import Paper, PaperAuthor
from search.embedding import paper_text

CHUNK = 1000


@dataclass(frozen=True)
class PaperText:
    paper_id: int
    arxiv_id: str
    title: str
    abstract: str
    authors: str

    @property
    def embed_text(self) -> str:
        return paper_text(self.title, self.abstract)


def model_name() -> str:
    return settings.SEARCH_EMBEDDING_MODEL


def content_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:16]


def load_texts(paper_ids: Iterable[int]) -> list[PaperText]:
    """Title, abstract and author names of these papers (missing ids are skipped)."""
    authorships = Prefetch(
        "authorships", queryset=PaperAuthor.objects.select_related("author").order_by("position")
    )
    papers = Paper.objects.filter(pk__in=list(paper_ids)).prefetch_related(authorships)
    return [
        PaperText(
            p.pk,
            p.arxiv_id,
            p.title,
            p.abstract,
            ", ".join(a.author.name for a in p.authorships.all()),
        )
        for p in papers.only("id", "arxiv_id", "title", "abstract")
    ]


def chunks(ids: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    """``ids`` in consecutive slices of ``size`` (bounded SQL parameters and index writes)."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def all_paper_ids() -> Iterator[list[int]]:
    yield from chunks(list(Paper.objects.order_by("pk").values_list("pk", flat=True)))
