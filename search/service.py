"""The search interface: the only module pages, API, digests and CLI import for search.

Ranking comes from derived index files (:mod:`search.engine`); the database stays the source
of truth for filters, sorting and what is shown, so a paper deleted or hidden since the last
index update is never returned.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from django.db.models import Exists, OuterRef, QuerySet

from dailypapers.text import clean_text
from papers.arxiv_ids import parse_arxiv_id
from papers.cards import PaperCard, cards_in_order, load_cards
from papers.models import Author, DailyEntry, Paper, PaperAuthor
from search import embedding, engine, indexer, texts, tombstones, vector_store
from search.store import READER
from search.text import ParsedQuery, highlight, parse_query, query_stems

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "keyword", "semantic"]
Sort = Literal["relevance", "newest", "upvotes"]
MODES: tuple[str, ...] = ("hybrid", "keyword", "semantic")
SORTS: tuple[str, ...] = ("relevance", "newest", "upvotes")
# The matches of a query are decided once, at this depth, whatever page, filter or sort is
# asked: every page is a slice of the same ordered list and the total never changes between
# pages (50 pages of 20). More matches than this are reported as "1000+".
MATCH_DEPTH = 1000
LOOSE = 5  # "loosely related" papers offered when nothing passes the floors
SYNTAX_HELP = (
    '"exact phrase", -word, -"phrase", a OR b, author:"Name", title:word, org:slug; '
    "dates with from= and to= (YYYY-MM-DD) in the URL."
)
EMPTY_HELP = (
    "Type a few words, a phrase in quotes, an author's name or an arXiv id "
    '(e.g. 2401.01234). Questions work too: "how do transformers store facts".'
)


@dataclass(frozen=True)
class SearchQuery:
    q: str
    mode: Mode = "hybrid"
    sort: Sort = "relevance"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    organization: str | None = None  # Organization.slug
    has_code: bool = False
    daily_only: bool = False
    limit: int = 20
    offset: int = 0
    highlight: bool = True  # the JSON API has no use for <mark> markup

    def __post_init__(self) -> None:
        # Control characters are no search words, and feeds could not echo the query back.
        object.__setattr__(self, "q", clean_text(self.q))

    @property
    def has_filters(self) -> bool:
        return bool(
            self.date_from or self.date_to or self.organization or self.has_code or self.daily_only
        )


@dataclass
class SearchHit:
    paper: PaperCard
    score: float
    # Title and abstract with matched terms wrapped in <mark> (HTML-escaped otherwise).
    title_html: str = ""
    abstract_html: str = ""


@dataclass
class SearchResults:
    query: SearchQuery
    hits: list[SearchHit] = field(default_factory=list)
    # The requested page as (paper id, score), best first; ``hits`` are its papers that
    # still exist (set by :func:`search`, not by :func:`search_ranked`).
    page: list[tuple[int, float]] = field(default_factory=list)
    total: int = 0
    redirect_to: Paper | None = None  # set when q is an arXiv id of a known paper
    message: str = ""  # a human explanation for empty or adjusted queries
    capped: bool = False  # more papers match than were ranked: total is a lower bound
    # When nothing matches: the closest candidates under the score floors, labelled as such.
    loose: list[SearchHit] = field(default_factory=list)
    loose_page: list[tuple[int, float]] = field(default_factory=list)
    parsed: ParsedQuery | None = None  # q as searched (None when it was an arXiv id)
    authors: list[Author] = field(default_factory=list)  # q names them: linked above results
    corrected: str = ""  # the spelling searched instead of q, which matched nothing
    suggestion: str = ""  # a spelling of q offered ("Did you mean")


def search(query: SearchQuery) -> SearchResults:
    """Ranked, filtered, paginated papers for ``query``; never raises on odd input."""
    results = search_ranked(query)
    stems = query_stems(results.parsed) if query.highlight and results.parsed else None
    if results.page:
        results.hits = _hits(results.page, stems)
    if results.loose_page:
        results.loose = _hits(results.loose_page, stems)
    return results


def search_ranked(query: SearchQuery) -> SearchResults:
    """:func:`search` without loading the papers: the page's ids and scores in
    ``results.page`` (``hits`` stays empty), for callers that need no highlighting (the
    JSON API, with :func:`page_cards`)."""
    results = SearchResults(query=query)
    arxiv_id = parse_arxiv_id(query.q)
    if arxiv_id is not None:
        results.redirect_to = Paper.objects.filter(arxiv_id=arxiv_id.id).first()
        if results.redirect_to is not None:
            return results
    parsed = results.parsed = parse_query(query.q)
    if parsed.is_empty:
        results.message = EMPTY_HELP if not query.q.strip() else _no_words_message()
        return results
    if parsed.orgs and not query.organization:
        query = results.query = replace(query, organization=parsed.orgs[0])
    results.authors = _named_authors(parsed)
    _match(query, parsed, results)
    suggestion = engine.spelling_suggestion(parsed, _texts_of) if parsed.words else None
    corrected = _corrected(query, suggestion) if suggestion and not results.total else None
    if corrected is not None:
        results = corrected
    elif suggestion:
        results.suggestion = suggestion
    notes = list(results.parsed.notes)
    if arxiv_id is not None:
        notes.insert(0, f"No paper with arXiv id {arxiv_id.id} is here yet.")
    if results.corrected:
        notes.insert(0, f"Nothing matches “{query.q}”; showing results for “{results.corrected}”.")
    results.message = " ".join(notes) or _empty_message(query, results)
    return results


def _match(query: SearchQuery, parsed: ParsedQuery, results: SearchResults) -> None:
    """Fill ``results`` with the page of the query's matches (and loose candidates)."""
    mode = query.mode if query.mode in MODES else "hybrid"
    ranked = engine.match(parsed, mode, MATCH_DEPTH)
    if results.authors:
        ranked.matches = _authors_first(ranked.matches, results.authors)
    ordered = _filter_and_sort(query, ranked.matches)
    results.total = len(ordered)
    results.capped = ranked.capped and len(ranked.matches) >= MATCH_DEPTH
    results.page = ordered[query.offset : query.offset + query.limit]
    results.loose_page = []
    if not ordered and query.offset == 0:
        results.loose_page = _filter_and_sort(query, ranked.loose)[:LOOSE]


def _named_authors(parsed: ParsedQuery) -> list[Author]:
    """Authors the query names: ``author:"Name"``, a quoted phrase or the whole query being
    a name. A quoted name becomes an author requirement instead of a text phrase."""
    for phrase in list(parsed.phrases):
        if _authors_named(phrase):
            parsed.phrases.remove(phrase)
            parsed.authors.append(phrase)
    names = list(parsed.authors)
    if not names and not parsed.constrained and 2 <= len(parsed.words) <= 4:
        names = [parsed.words]
    return [author for name in names for author in _authors_named(name)]


def _authors_named(words: list[str]) -> list[Author]:
    """Authors with exactly this name (any case), found through the papers whose author list
    has these words in a row (the index), so no query scans the author table."""
    ids = engine.author_papers(words, 200)
    if not ids:
        return []
    found = Author.objects.filter(authorships__paper_id__in=ids, name__iexact=" ".join(words))
    return list(found.distinct().order_by("pk")[:5])


def _authors_first(matches: list[tuple[int, float]], authors: list[Author]) -> list:
    """The named authors' papers first (in match order, then the rest of their papers),
    scored above every other match so a relevance sort keeps them there."""
    theirs = set(PaperAuthor.objects.filter(author__in=authors).values_list("paper_id", flat=True))
    top = max((s for _, s in matches), default=0.0) + 1.0
    ranked = [pid for pid, _ in matches if pid in theirs]
    ranked += sorted(theirs.difference(ranked))
    lifted = [(pid, top + len(ranked) - i) for i, pid in enumerate(ranked)]
    return lifted + [(pid, s) for pid, s in matches if pid not in theirs]


def _corrected(query: SearchQuery, spelling: str) -> SearchResults | None:
    """The results of ``spelling`` searched instead of ``query``, if it matches anything."""
    corrected = SearchResults(query=query, parsed=parse_query(spelling), corrected=spelling)
    _match(query, corrected.parsed, corrected)
    return corrected if corrected.total else None


def _texts_of(paper_ids: list[int]) -> list[str]:
    return [f"{t.title}\n{t.abstract}\n{t.authors}" for t in texts.load_texts(paper_ids)]


def page_cards(results: SearchResults) -> list[PaperCard]:
    """The cards of a :func:`search_ranked` page (or of its arXiv id match), best first;
    papers deleted since they were indexed are left out."""
    ids = [results.redirect_to.pk] if results.redirect_to else [pid for pid, _ in results.page]
    return cards_in_order(ids)


def _no_words_message() -> str:
    return "Your query has no words to search for (only symbols or punctuation). " + EMPTY_HELP


def _empty_message(query: SearchQuery, results: SearchResults) -> str:
    if results.total:
        return ""
    if query.has_filters:
        return "No papers match these words with the filters you chose. Try removing a filter."
    return "No papers match. Try fewer or different words, or the semantic mode."


def filtered_papers(query: SearchQuery, ids: list[int]) -> QuerySet[Paper]:
    """Papers among ``ids`` that pass the query's filters."""
    papers = Paper.objects.filter(pk__in=ids)
    if query.date_from:
        papers = papers.filter(published_at__date__gte=query.date_from)
    if query.date_to:
        papers = papers.filter(published_at__date__lte=query.date_to)
    if query.organization:
        papers = papers.filter(organization__slug=query.organization)
    if query.has_code:
        papers = papers.exclude(github_repo="")
    if query.daily_only:
        visible = DailyEntry.objects.filter(paper=OuterRef("pk"), hidden=False)
        papers = papers.filter(Exists(visible))
    return papers


def _filter_and_sort(query: SearchQuery, ranking: list[tuple[int, float]]) -> list:
    if not query.has_filters and query.sort == "relevance":
        # Nothing to check in the database: a paper deleted since it was indexed is dropped
        # when the page's papers are fetched (``_hits``).
        return ranking
    score = dict(ranking)
    rows = filtered_papers(query, list(score)).values_list("pk", "published_at", "upvotes")
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    if query.sort == "newest":
        key = lambda r: (r[1] or epoch, score[r[0]])  # noqa: E731
    elif query.sort == "upvotes":
        key = lambda r: (r[2], score[r[0]])  # noqa: E731
    else:
        key = lambda r: (score[r[0]], -r[0])  # noqa: E731
    return [(r[0], score[r[0]]) for r in sorted(rows, key=key, reverse=True)]


def _hits(page: list[tuple[int, float]], stems: set[str] | None) -> list[SearchHit]:
    papers = load_cards(pid for pid, _ in page)
    hits = []
    for pid, score in page:
        paper = papers.get(pid)
        if paper is None:
            continue
        hit = SearchHit(paper, score)
        if stems is not None:
            hit.title_html = highlight(paper.title, stems)
            hit.abstract_html = highlight(paper.abstract, stems)
        hits.append(hit)
    return hits


def _stored_vectors(paper_ids: list[int]) -> dict[int, np.ndarray]:
    """Stored vectors of these papers (read only: missing ones are left to background work)."""
    return vector_store.stored_vectors(texts.load_texts(paper_ids))


def similar_papers(
    paper: Paper | PaperCard, limit: int = 8, sort: str = "relevance"
) -> list[PaperCard]:
    """The ``limit`` papers closest to ``paper`` by its stored embedding, excluding itself
    (none while it has no stored vector); ``sort`` orders those same papers by closeness
    (``relevance``), publication date (``newest``) or ``upvotes``."""
    snapshot = READER.snapshot()
    if snapshot.vectors.count == 0 or limit <= 0:
        return []
    vector = _stored_vectors([paper.pk]).get(paper.pk)
    if vector is None:
        return []  # not embedded yet: the background catch-up stores its vector
    ids = [pid for pid, _ in snapshot.vectors.search(vector, limit + 1) if pid != paper.pk]
    cards = cards_in_order(ids[:limit])
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    if sort == "newest":
        cards.sort(key=lambda c: c.published_at or epoch, reverse=True)
    elif sort == "upvotes":
        cards.sort(key=lambda c: c.upvotes, reverse=True)
    return cards


def rank_papers(q: str, paper_ids: list[int]) -> list[tuple[int, float]]:
    """Re-rank a candidate set by relevance to ``q`` (best first). Reads only.

    Scores are the hybrid blend of BM25 (restricted to the candidates) and cosine similarity
    of stored embeddings (a candidate not embedded yet ranks by BM25 alone); papers that pass
    the search floors come first, then the rest, then candidates matching neither (score 0).
    """
    matches, loose = _match_subset(q, paper_ids)
    ranked = matches + loose
    seen = {pid for pid, _ in ranked}
    return ranked + [(pid, 0.0) for pid in dict.fromkeys(paper_ids) if pid not in seen]


def topic_matches(q: str, paper_ids: list[int]) -> list[int]:
    """The candidates that really match ``q`` (the search page's absolute floors), best
    first; none when nothing does (topic digests)."""
    return [pid for pid, _ in _match_subset(q, paper_ids)[0]]


def _match_subset(q: str, paper_ids: list[int]) -> tuple[list, list]:
    parsed = parse_query(q)
    wanted = list(dict.fromkeys(paper_ids))
    if parsed.is_empty or not wanted:
        return [], []
    ranked = engine.match_subset(parsed, wanted, _stored_vectors(wanted))
    return ranked.matches, ranked.loose


def index_papers(paper_ids: list[int]) -> None:
    """Bring the derived indexes up to date for these papers (added, changed or deleted)."""
    ids = sorted({int(pid) for pid in paper_ids})
    if ids:
        indexer.update_keywords(ids)
        indexer.update_vectors(ids)


def prepare_model() -> None:
    """Derive the configured embedding model's files if needed (once per machine)."""
    embedding.prepare(texts.model_name())


def rebuild_index() -> None:
    """Rebuild all derived indexes from the database, atomically."""
    indexer.rebuild()


def database_replaced() -> None:
    """Call after the database content was replaced wholesale (a restore): every node's
    index is then out of date and is rebuilt by its next ``search_index update``."""
    tombstones.new_epoch()


def index_status() -> dict:
    """What the live index holds (for health checks and ``search_index status``)."""
    snapshot = READER.snapshot()
    if snapshot.version is None:
        return {"present": False, "documents": 0, "vectors": 0}
    docs = snapshot.keyword_index.searcher().num_docs if snapshot.keyword_index else 0
    return {
        "present": True,
        "version": snapshot.version.name,
        "generation": snapshot.manifest.get("generation"),
        "model": snapshot.manifest.get("model"),
        "documents": docs,
        "vectors": snapshot.vectors.count,
        "ann": snapshot.vectors.ann is not None,
    }
