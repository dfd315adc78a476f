"""The BM25 keyword index (tantivy): title weighted above abstract, author names searchable.

Queries are built from :class:`search.text.ParsedQuery` with term and phrase queries, never
through tantivy's query parser. Every posting of every query word is scored: tantivy-py's
``Searcher.search`` always collects through a ``MultiCollector`` (even with ``count=False``),
which bypasses tantivy's block-max WAND, so a top-1 costs what a top-200 does ("model", in
87 % of 1M papers: 5.2 and 5.4 ms; ~6 ns per posting, ``bench/keyword_pruning.py``). So
matching every word first (``SEARCH_KEYWORD_MATCH=all-first``, the default: intersecting
instead of unioning postings) is the large saving; ``any`` is the plain disjunction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import tantivy

from search.text import STOP_WORDS, ParsedQuery, name_analyzer, stem_analyzer

# BM25 runs over "text" (title + abstract, one field, which ranked best on SciFact) plus an
# extra title-only clause, so a word in the title counts 1 + TITLE_BOOST times. Tuned on the
# SciFact train split (bench/search_quality.py --tune); see search/README.md.
TITLE_BOOST = 0.25
TEXT_BOOST = 1.0
AUTHORS_BOOST = 1.5
PHRASE_BOOST = 2.0
# Indexing memory of a full build. Tantivy takes it as it needs it (a small corpus uses a few
# MB); ~450 MB holds 1M papers, so up to ~2M papers build into one segment.
BUILD_HEAP = 1_000_000_000


@dataclass(frozen=True)
class KeywordDoc:
    paper_id: int
    title: str
    abstract: str
    authors: str  # names joined with ", "


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", tokenizer_name="en_paper")
    builder.add_text_field("text", tokenizer_name="en_paper")
    builder.add_text_field("authors", tokenizer_name="names")
    return builder.build()


class IncompatibleIndex(Exception):
    """The index on disk was written with another schema (an older dailypapers version)."""


def open_index(path: Path) -> tantivy.Index:
    """Open (or create) the index at ``path`` with our analyzers registered."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        index = tantivy.Index(schema(), path=str(path), reuse=True)
    except ValueError as exc:
        if "schema does not match" not in str(exc):
            raise
        raise IncompatibleIndex(f"{path} has another schema; run `search_index rebuild`") from exc
    index.register_tokenizer("en_paper", stem_analyzer())
    index.register_tokenizer("names", name_analyzer())
    return index


def build(index: tantivy.Index, docs: Iterable[KeywordDoc]) -> int:
    """Fill a new, empty index with ``docs`` as one segment (rebuilds).

    One indexing thread with room for the whole corpus: two threads write ~1.8x faster but
    leave six segments at 1M papers, and a query then reads each word's postings and keeps a
    top-k threshold per segment. One segment: keyword p50 ~12 % lower at 1M, same scores
    (search/README.md).
    """
    return write(index, docs, heap=BUILD_HEAP, replace=False)


def write(
    index: tantivy.Index,
    docs: Iterable[KeywordDoc],
    delete_ids: Iterable[int] = (),
    threads: int = 1,
    replace: bool = True,
    heap: int = 0,
) -> int:
    """Replace the documents of these papers (and delete ``delete_ids``); one commit.

    ``replace=False`` skips the per-document delete, for filling a new, empty index.
    ``heap``: indexing memory in bytes (default 64 MB per thread); a thread writes a new
    segment each time its share fills up.
    """
    writer = index.writer(heap_size=heap or 64_000_000 * threads, num_threads=threads)
    count = 0
    try:
        for paper_id in delete_ids:
            writer.delete_documents_by_term("id", paper_id)
        for doc in docs:
            if replace:
                writer.delete_documents_by_term("id", doc.paper_id)
            writer.add_document(
                tantivy.Document(
                    id=doc.paper_id,
                    title=doc.title,
                    text=f"{doc.title}\n{doc.abstract}",
                    authors=doc.authors,
                )
            )
            count += 1
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise
    return count


def reference_score(index: tantivy.Index, query: ParsedQuery) -> float:
    """The BM25 score of a paper holding every query word once, in its title and in an
    abstract of average length (or, for a word that is rarer in author names than in texts,
    in its author list): the scale of :class:`search.engine.Floors`'s keyword floor.

    A word no paper contains still counts (with the highest IDF), so a paper matching one of
    three rare words scores about a third of it, whatever the collection's size.
    """
    searcher = index.searcher()
    total = searcher.num_docs

    def idf(name: str, term: str) -> float:
        found = searcher.doc_freq(name, term)
        return math.log(1 + (total - found + 0.5) / (found + 0.5))

    each: list[float] = []
    words = [w for w in query.words if w.lower() not in STOP_WORDS] or query.words
    for word in dict.fromkeys(w.lower() for w in words):
        stems = stem_analyzer().analyze(word)
        names = name_analyzer().analyze(word)
        text = sum(idf("text", t) for t in stems) * (TEXT_BOOST + TITLE_BOOST)
        author = sum(idf("authors", t) for t in names) * AUTHORS_BOOST
        each.append(min(text, author) if names else text)
    # "a OR b": a paper with either word is a full match: the scale of the commoner word.
    score = min(each, default=0.0) if query.any_word else sum(each)
    for term in {t for phrase in query.phrases for w in phrase for t in stem_analyzer().analyze(w)}:
        score += idf("text", term) * (TEXT_BOOST + TITLE_BOOST)
    return score


def _field_terms(query: ParsedQuery, analyzer: tantivy.TextAnalyzer) -> list[str]:
    words = [w for w in query.words if w.lower() not in STOP_WORDS] or query.words
    seen: dict[str, None] = {}
    for word in words:
        for token in analyzer.analyze(word):
            seen.setdefault(token, None)
    return list(seen)


def build_query(
    index: tantivy.Index, query: ParsedQuery, require_all: bool = False
) -> tantivy.Query | None:
    """A disjunction of per-field term queries plus required phrases; None if empty.

    ``require_all`` makes every word's text clause required (papers with all the words);
    the scores are the same BM25 sums, so such a paper ranks as it would among all papers.
    """
    schema_ = index.schema
    should: list[tuple[tantivy.Occur, tantivy.Query]] = []
    fields = (("title", TITLE_BOOST), ("text", TEXT_BOOST))
    for term in _field_terms(query, stem_analyzer()):
        for name, boost in fields:
            clause = tantivy.Query.term_query(schema_, name, term, index_option="freq")
            required = require_all and name == "text"
            occur = tantivy.Occur.Must if required else tantivy.Occur.Should
            should.append((occur, tantivy.Query.boost_query(clause, boost)))
    for term in _field_terms(query, name_analyzer()):
        clause = tantivy.Query.term_query(schema_, "authors", term, index_option="freq")
        should.append((tantivy.Occur.Should, tantivy.Query.boost_query(clause, AUTHORS_BOOST)))
    # A quoted phrase is required, in the title or the abstract, and scores extra.
    for phrase in query.phrases:
        clauses = _phrase_clauses(schema_, phrase)
        if clauses:
            should.append((tantivy.Occur.Must, tantivy.Query.boolean_query(clauses)))
    should += constraints(schema_, query)
    if not any(occur != tantivy.Occur.MustNot for occur, _ in should):
        return None
    return tantivy.Query.boolean_query(should)


def _sequence(schema_: tantivy.Schema, name: str, terms: list[str]) -> tantivy.Query | None:
    if len(terms) == 1:
        return tantivy.Query.term_query(schema_, name, terms[0])
    return tantivy.Query.phrase_query(schema_, name, terms) if terms else None


def constraints(schema_: tantivy.Schema, query: ParsedQuery) -> list:
    """Required author names and title words, and excluded words or phrases (anywhere in
    the title, abstract or author list), as boolean clauses."""
    clauses = []
    stem, names = stem_analyzer(), name_analyzer()
    for name in query.authors:
        built = _sequence(schema_, "authors", [t for w in name for t in names.analyze(w)])
        if built is not None:
            boosted = tantivy.Query.boost_query(built, AUTHORS_BOOST)
            clauses.append((tantivy.Occur.Must, boosted))
    for words in query.titles:
        built = _sequence(schema_, "title", [t for w in words for t in stem.analyze(w)])
        if built is not None:
            clauses.append((tantivy.Occur.Must, built))
    for words in query.excluded:
        for name, analyzer in (("text", stem), ("authors", names)):
            built = _sequence(schema_, name, [t for w in words for t in analyzer.analyze(w)])
            if built is not None:
                clauses.append((tantivy.Occur.MustNot, built))
    return clauses


def satisfying(index: tantivy.Index, query: ParsedQuery, paper_ids: list[int]) -> set[int]:
    """The papers among ``paper_ids`` that meet the query's phrases and constraints."""
    if not paper_ids:
        return set()
    schema_ = index.schema
    clauses = [(tantivy.Occur.Must, tantivy.Query.term_set_query(schema_, "id", paper_ids))]
    for phrase in query.phrases:
        found = _phrase_clauses(schema_, phrase)
        if found:
            clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(found)))
    clauses += constraints(schema_, query)
    return {pid for pid, _ in run(index, tantivy.Query.boolean_query(clauses), len(paper_ids))}


def _phrase_clauses(schema_: tantivy.Schema, phrase: list[str]) -> list:
    terms = [t for word in phrase for t in stem_analyzer().analyze(word)]
    clauses = []
    for name, boost in (("title", TITLE_BOOST * PHRASE_BOOST), ("text", PHRASE_BOOST)):
        if len(terms) == 1:
            clause = tantivy.Query.term_query(schema_, name, terms[0])
        elif terms:
            clause = tantivy.Query.phrase_query(schema_, name, terms)
        else:
            continue
        clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(clause, boost)))
    return clauses


def search(
    index: tantivy.Index, query: ParsedQuery, limit: int, match: str = "any"
) -> list[tuple[int, float]]:
    """(paper id, BM25 score), best first.

    ``match="all-first"`` (setting ``SEARCH_KEYWORD_MATCH``, the service's default) ranks
    only papers containing every word when at least ``limit`` of them exist, and all papers
    with any word otherwise; ``"any"`` always ranks all papers with any word. Intersecting
    the words' postings is much cheaper than a disjunction of common words (p50 3.3 against
    5.6 ms at 1M papers); the scores are the same BM25 sums, but a paper with some of the
    words cannot outrank one with all of them (~13 % of the top 20 differ at 1M:
    bench/keyword_strategies.py). Below a few thousand papers the two rarely differ.
    """
    if limit <= 0:
        return []
    if query.any_word:
        match = "any"
    if match == "all-first" and len(_field_terms(query, stem_analyzer())) > 1:
        every = build_query(index, query, require_all=True)
        hits = run(index, every, limit) if every is not None else []
        if len(hits) >= limit:
            return hits
    built = build_query(index, query)
    if built is None:
        return []
    return run(index, built, limit)


def run(index: tantivy.Index, built: tantivy.Query, limit: int) -> list[tuple[int, float]]:
    """Execute a built query: (paper id, score), best first."""
    searcher = index.searcher()
    result = searcher.search(built, limit, count=False)
    if not result.hits:
        return []
    addresses = [address for _, address in result.hits]
    ids = searcher.fast_field_values("id", addresses)
    return [(int(i), float(score)) for (score, _), i in zip(result.hits, ids, strict=True)]
