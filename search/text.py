"""Turning what a user typed into search terms, and highlighting those terms in results.

User input never reaches a query parser: it is split into plain words and quoted phrases and
the index queries are built from them programmatically, so characters that are syntax
elsewhere (``"`` ``*`` ``-`` ``NEAR(`` ``AND OR`` unmatched parentheses, NUL) are just text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

import tantivy

MAX_QUERY_CHARS = 1000  # longer input is cut (with a message), never rejected by the page
MAX_TERMS = 64  # beyond this a query is a document, not a question; BM25 cost grows per term

# Stop words are left out of bag-of-words queries (they would touch most postings lists at
# 1M papers) but kept inside quoted phrases, where "state of the art" needs them.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "there",
        "these",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
        "we",
        "our",
        "how",
        "what",
        "when",
        "where",
        "why",
        "who",
        "do",
        "does",
        "can",
        "using",
        "via",
        "based",
    ]
)

_WORD = re.compile(r"\w+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')


@cache
def stem_analyzer() -> tantivy.TextAnalyzer:
    """The analyzer of the title and abstract fields (also used to highlight)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


@cache
def name_analyzer() -> tantivy.TextAnalyzer:
    """The analyzer of author names: no stemming ("Jones" must not match "Jone")."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


@dataclass
class ParsedQuery:
    """A cleaned query: free words, quoted phrases, and what was changed on the way."""

    text: str  # cleaned text, as given to the embedding model
    words: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    excluded: list[list[str]] = field(default_factory=list)  # -word, -"phrase"
    authors: list[list[str]] = field(default_factory=list)  # author:"Name" (words of a name)
    titles: list[list[str]] = field(default_factory=list)  # title:word, title:"phrase"
    orgs: list[str] = field(default_factory=list)  # org:slug
    any_word: bool = False  # "a OR b": any of the words, never every word first

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases or self.authors or self.titles)

    @property
    def constrained(self) -> bool:
        """Whether papers must (or must not) contain something beyond bag-of-words."""
        return bool(self.phrases or self.excluded or self.authors or self.titles)


# Operators people know from web search, taken out of the text before words are split.
_FIELD = re.compile(r'(?<!\S)(author|title|org):(?:"([^"]*)"|(\S+))', re.IGNORECASE)
_NOT_PHRASE = re.compile(r'(?<!\S)-"([^"]*)"')
_NOT_WORD = re.compile(r"(?<!\S)-(\w+)")
_OR = re.compile(r"(?<!\S)OR(?!\S)")


def _operators(text: str, parsed: ParsedQuery) -> str:
    """Move field filters and exclusions from ``text`` into ``parsed``; the rest of it."""
    for match in _FIELD.finditer(text):
        name, value = match.group(1).lower(), match.group(2) or match.group(3) or ""
        words = _WORD.findall(value)
        if not words:
            continue
        if name == "org":
            parsed.orgs.append(value.strip())
        else:
            (parsed.authors if name == "author" else parsed.titles).append(words)
    text = _FIELD.sub(" ", text)
    parsed.excluded += [_WORD.findall(p) for p in _NOT_PHRASE.findall(text)]
    text = _NOT_PHRASE.sub(" ", text)
    parsed.excluded += [[w] for w in _NOT_WORD.findall(text)]
    text = _NOT_WORD.sub(" ", text)
    parsed.excluded = [e for e in parsed.excluded if e]
    parsed.any_word = bool(_OR.search(text))
    return _OR.sub(" ", text)


def parse_query(raw: str) -> ParsedQuery:
    """Split ``raw`` into words and quoted phrases; never raises."""
    notes: list[str] = []
    text = raw.replace("\x00", " ").strip()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"Your query was shortened to its first {MAX_QUERY_CHARS} characters.")
    if text.count('"') % 2:
        # An unmatched quote is a typo, not a phrase to the end of the query.
        text = text[::-1].replace('"', "", 1)[::-1]
    parsed = ParsedQuery(text="")
    text = _operators(text, parsed)
    phrases = [_WORD.findall(p) for p in _PHRASE.findall(text)]
    phrases = [p for p in phrases if p]
    loose = _PHRASE.sub(" ", text)
    words = _WORD.findall(loose)
    total = len(words) + sum(len(p) for p in phrases)
    if total > MAX_TERMS:
        words = words[: max(0, MAX_TERMS - sum(len(p) for p in phrases))]
        notes.append(f"Only the first {MAX_TERMS} words of your query were used.")
    parsed.text = " ".join(_WORD.findall(text))
    parsed.words, parsed.phrases, parsed.notes = words, phrases, notes
    return parsed


def words_of(text: str) -> list[str]:
    """The words of ``text`` as queries split them."""
    return _WORD.findall(text)


def stems(text: str) -> list[str]:
    return [token for token in stem_analyzer().analyze(text) if token]


@lru_cache(maxsize=100_000)
def _first_stem(word: str) -> str:
    found = stem_analyzer().analyze(word)
    return found[0] if found else ""


def query_stems(query: ParsedQuery) -> set[str]:
    """Stems worth highlighting: every phrase word and every non-stop word."""
    found = {s for w in query.words if w.lower() not in STOP_WORDS for s in stems(w)}
    found |= {s for phrase in query.phrases for w in phrase for s in stems(w)}
    return found


def highlight(text: str, wanted: set[str]) -> str:
    """``text`` HTML-escaped, with words whose stem is in ``wanted`` wrapped in ``<mark>``."""
    if not wanted:
        return html.escape(text)
    parts: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        if _first_stem(match.group()) in wanted:
            parts.append(html.escape(text[last : match.start()]))
            parts.append(f"<mark>{html.escape(match.group())}</mark>")
            last = match.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts)
