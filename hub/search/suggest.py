""" "Did you mean": corrections for misspelt words, drawn from the Hub's own vocabulary.

Everything here is decided by the documents the viewer may read (``allowed``, the bit set of
their permission labels) and nothing else: a word is corrected when no readable document has it,
only to a word that occurs in a readable document, and a stop word counts as known only in a
language of a readable document. So a suggestion, or its absence, never tells whether a
members-only (or withdrawn, deleted) document contains a word. Words are looked up in the
searcher's bit sets (``term_masks``), never in Whoosh's index-wide document frequencies, which
count every document, deleted ones included.
"""

from __future__ import annotations

import re
from typing import Any

from whoosh.support.levenshtein import distance

from hub.search.analysis import analyzer_for, group_for, vocabulary_analyzer
from hub.search.engine import term_masks
from hub.search.facets import FacetTable
from hub.search.schema import TEXT_KINDS, text_field

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
MAX_CANDIDATES = 200


def _fold(word: str) -> str:
    tokens = [t.text for t in vocabulary_analyzer()(word)]
    return tokens[0] if len(tokens) == 1 else ""


def _readable(masks: Any, fieldname: str, term: str, allowed: int) -> int:
    """The readable documents whose field ``fieldname`` has ``term``, as a bit set."""
    return masks.get(fieldname, term.encode("utf-8")) & allowed


def _correction(reader: Any, word: str, allowed: int, masks: Any) -> str | None:
    """The closest readable word, the more readable documents the better. Only readable
    candidates count towards ``MAX_CANDIDATES``: words of hidden documents must not crowd out
    a correction the viewer would otherwise get."""
    maxdist = 1 if len(word) < 6 else 2
    best: tuple[int, int, str] | None = None
    considered = 0
    for candidate in reader.terms_within("words", word, maxdist, prefix=1):
        if candidate == word:
            continue
        seen = _readable(masks, "words", candidate, allowed).bit_count()
        if not seen:
            continue
        considered += 1
        rank = (distance(word, candidate), -seen, candidate)
        if best is None or rank < best:
            best = rank
        if considered >= MAX_CANDIDATES:
            break
    return best[2] if best else None


def readable_groups(table: FacetTable, allowed: int, groups: list[str]) -> list[str]:
    """The language groups (of ``groups``, those present in the index) that have a readable
    document; a language only hidden documents are in must not change how a word is read."""
    readable = {
        group_for(language)
        for language, mask in table.masks.get("language", {}).items()
        if mask & allowed
    }
    return [g for g in groups if g in readable]


def _known(word: str, groups: list[str], masks: Any, allowed: int) -> bool:
    """Whether a readable document's text has the word, as each readable language analyses it.

    The suggestion vocabulary holds only titles, summaries and tags, so a word that occurs
    only in bodies must not count as misspelt."""
    for group in groups:
        terms = [t.text for t in analyzer_for(group)(word)]
        if not terms:
            return True  # a stop word is not a misspelling
        for kind in TEXT_KINDS:
            fieldname = text_field(kind, group)
            if all(_readable(masks, fieldname, term, allowed) for term in terms):
                return True
    return False


def suggest(
    searcher: Any, text: str, allowed: int, table: FacetTable, groups: list[str]
) -> str | None:
    """The query text with unknown words replaced by their likeliest correction, if any.

    ``allowed`` is the bit set of documents the viewer may read; nothing else is looked at."""
    reader = searcher.reader()
    if "words" not in reader.schema or not text:
        return None
    masks = term_masks(searcher, table.size)
    groups = readable_groups(table, allowed, groups)
    changed = False

    def fix(match: re.Match[str]) -> str:
        nonlocal changed
        original = match.group()
        if original in _OPERATORS:
            return original
        word = _fold(original)
        if (
            not word
            or _readable(masks, "words", word, allowed)
            or _known(original, groups, masks, allowed)
        ):
            return original
        correction = _correction(reader, word, allowed, masks)
        if correction is None:
            return original
        changed = True
        return correction

    corrected = _WORD.sub(fix, text)
    return corrected if changed else None
