"""Spelling correction from the index's own vocabulary ("did you mean").

A word no title, abstract or author list contains is looked up with a tantivy fuzzy term
query (Levenshtein distance 1, or 2 for words of 8+ letters, a swap counting 1); the words of
the papers it finds that are that close to it are the candidates, and the one most papers
contain wins. The service applies the correction when the query as typed matches nothing and
offers it otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import tantivy

from search import keyword
from search.text import ParsedQuery, name_analyzer, stem_analyzer, words_of

SAMPLE = 20  # papers read to find the spelling a fuzzy match stands for
MIN_LENGTH = 4  # shorter words are too often another real word one letter away


def distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with adjacent swaps)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            cost = current[j - 1] + 1
            cost = min(cost, previous[j] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _allowed(word: str) -> int:
    return 2 if len(word) >= 8 else 1


def known(index: tantivy.Index, word: str) -> bool:
    searcher = index.searcher()
    stems = stem_analyzer().analyze(word)
    names = name_analyzer().analyze(word)
    return any(searcher.doc_freq("text", t) for t in stems) or any(
        searcher.doc_freq("authors", t) for t in names
    )


def correct_word(
    index: tantivy.Index, word: str, texts_of: Callable[[list[int]], Iterable[str]]
) -> str | None:
    """The closest word of the papers to an unknown ``word`` (None when none is close)."""
    stems = stem_analyzer().analyze(word)
    if len(word) < MIN_LENGTH or not stems:
        return None
    limit = _allowed(word)
    # The index holds stems, and a typo stems differently ("speculatve" -> "speculatv", while
    # "speculative" -> "specul"): papers are sampled by the stem within the distance and by
    # terms starting like the word (one edit allowed), then their words are compared as typed.
    start = word.lower()[: max(MIN_LENGTH, len(word) - 3)]
    queries = [
        tantivy.Query.fuzzy_term_query(
            index.schema, "text", stems[0], distance=limit, transposition_cost_one=True
        ),
        tantivy.Query.fuzzy_term_query(
            index.schema, "text", start, distance=1, transposition_cost_one=True, prefix=True
        ),
    ]
    ids = list(
        dict.fromkeys(pid for query in queries for pid, _ in keyword.run(index, query, SAMPLE))
    )
    lowered = word.lower()
    seen = Counter(
        found.lower()
        for text in texts_of(ids)
        for found in words_of(text)
        if abs(len(found) - len(lowered)) <= limit
    )
    close = {w: n for w, n in seen.items() if distance(w, lowered) <= limit}
    # Closest first; among equally close words the one the sampled papers use most (so
    # "speculatve" becomes "speculative", not "speculate", in papers about decoding).
    ranked = sorted(close, key=lambda w: (distance(w, lowered), -close[w], w))
    return ranked[0] if ranked else None


def suggest(
    index: tantivy.Index, query: ParsedQuery, texts_of: Callable[[list[int]], Iterable[str]]
) -> str | None:
    """The query with every unknown word corrected, or None when it has no unknown word or
    one without a close spelling (words of another subject, not typos: "sourdough bread")."""
    words: list[str] = []
    changed = False
    for word in query.words:
        if known(index, word):
            words.append(word)
            continue
        fixed = correct_word(index, word, texts_of)
        if fixed is None:
            return None
        words.append(fixed)
        changed = True
    if not changed:
        return None
    phrases = " ".join(f'"{" ".join(p)}"' for p in query.phrases)
    return " ".join([*words, phrases]).strip()
