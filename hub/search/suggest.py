""" "Did you mean": corrections for misspelt words, drawn from the Hub's own vocabulary.

A word is corrected only when no document has it, and only to a word that occurs in a document the
viewer may read, so a suggestion never reveals vocabulary from restricted documents.
"""

from __future__ import annotations

import re
from typing import Any

from whoosh.support.levenshtein import distance

from hub.search.analysis import analyzer_for, vocabulary_analyzer
from hub.search.engine import term_masks
from hub.search.facets import FacetTable
from hub.search.schema import TEXT_KINDS, text_field

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
MAX_CANDIDATES = 200


def _fold(word: str) -> str:
    tokens = [t.text for t in vocabulary_analyzer()(word)]
    return tokens[0] if len(tokens) == 1 else ""


def _correction(reader: Any, word: str, allowed: int, masks: Any) -> str | None:
    maxdist = 1 if len(word) < 6 else 2
    best: tuple[int, int, str] | None = None
    for n, candidate in enumerate(reader.terms_within("words", word, maxdist, prefix=1)):
        if n >= MAX_CANDIDATES:
            break
        if candidate == word:
            continue
        seen = (masks.get("words", candidate.encode("utf-8")) & allowed).bit_count()
        if not seen:
            continue
        rank = (distance(word, candidate), -seen, candidate)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


def _known(reader: Any, word: str, groups: list[str]) -> bool:
    """Whether any document's text has the word, as each language present analyses it.

    The suggestion vocabulary holds only titles, summaries and tags, so a word that occurs
    only in bodies must not count as misspelt."""
    for group in groups:
        terms = [t.text for t in analyzer_for(group)(word)]
        if not terms:
            return True  # a stop word is not a misspelling
        for kind in TEXT_KINDS:
            fieldname = text_field(kind, group)
            if all(reader.doc_frequency(fieldname, term) for term in terms):
                return True
    return False


def suggest(
    searcher: Any, text: str, allowed: int, table: FacetTable, groups: list[str]
) -> str | None:
    """The query text with unknown words replaced by their likeliest correction, if any."""
    reader = searcher.reader()
    if "words" not in reader.schema or not text:
        return None
    changed = False

    def fix(match: re.Match[str]) -> str:
        nonlocal changed
        original = match.group()
        if original in _OPERATORS:
            return original
        word = _fold(original)
        if not word or reader.doc_frequency("words", word) or _known(reader, original, groups):
            return original
        correction = _correction(reader, word, allowed, term_masks(searcher, table.size))
        if correction is None:
            return original
        changed = True
        return correction

    corrected = _WORD.sub(fix, text)
    return corrected if changed else None
