"""Scoring helpers that depend on how Whoosh's matchers and BM25F scorer work inside.

* ``SafeOr``: Whoosh's ``Or`` picks a "preloaded" array matcher on indexes under 5,000
  documents, and that matcher ranks nested ORs wrongly (docs/search.md: a query's best document
  fell out of the top 10 once an OR clause was added). Every query we run passes through
  ``safe_or()``, which forces the binary-tree union matcher.
* ``summed_terms``: when a query's score is a plain sum of its terms' scores, which is how
  Whoosh's union matchers add up an OR.
* ``tune_bm25``: a BM25F scorer given the Hub's average field length, with its block-skipping
  bound recomputed to match and document lengths read from bytes loaded once per segment.
"""

from __future__ import annotations

from typing import Any

from whoosh import scoring
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.query import Or, Query, Term

from hub.search.engine.caches import kept_with
from hub.search.engine.codec import field_length, length_bytes


class SafeOr(Or):
    """An ``Or`` that always uses the binary tree of unions (see the module docstring)."""

    matcher_type = Or.DEFAULT_MATCHER


def safe_or(query: Query) -> Query:
    """The same query with every ``Or`` replaced by ``SafeOr``."""
    if isinstance(query, Or) and not isinstance(query, SafeOr):
        return SafeOr(
            [safe_or(q) for q in query.subqueries],
            boost=query.boost,
            minmatch=query.minmatch,
            scale=query.scale,
        )
    if query.is_leaf():
        return query
    return query.apply(safe_or)


def summed_terms(query: Query, boost: float = 1.0) -> list[tuple[Term, float]] | None:
    """The terms whose scores, times the boost beside each, add up to ``query``'s score of a
    document it matches; None unless the query is ORs of terms (the usual words-only search).

    Whoosh scores an OR as the sum of its matching children, times its boost when it has more
    than one child (a single child's matcher is used as it is). Ranking a known set of
    documents can then walk each term's postings once instead of a tree of union matchers per
    document, which was half the time of a two- or three-word search."""
    if isinstance(query, Term):
        return [(query, boost)]
    if isinstance(query, Or) and not query.scale and query.minmatch <= 1:
        subqueries = query.subqueries
        if len(subqueries) > 1:
            boost *= query.boost
        terms: list[tuple[Term, float]] = []
        for sub in subqueries:
            found = summed_terms(sub, boost)
            if found is None:
                return None
            terms.extend(found)
        return terms
    return None


def tune_bm25(
    scorer: scoring.BaseScorer, searcher: Any, fieldname: str, text: bytes, avgfl: float
) -> scoring.BaseScorer:
    """A BM25F scorer (others are returned as they are) scoring with average field length
    ``avgfl``. Its bound for skipping blocks (the best score a block can give) is worked out
    again with that length, or blocks holding the best documents would be skipped; and a
    document's length comes from the segment's length bytes (``codec.length_bytes``) instead
    of a column read per scored posting, a tenth of a word search's time."""
    if not isinstance(scorer, scoring.BM25FScorer):
        return scorer
    scorer.avgfl = avgfl
    info = searcher.term_info(fieldname, text)
    scorer._maxquality = scorer._score(info.max_weight(), info.min_length())
    lengths = _segment_lengths(searcher, fieldname)
    if lengths is not None:
        scorer.dfl = lambda docnum: field_length(lengths, docnum) or 1
    return scorer


def _segment_lengths(searcher: Any, fieldname: str) -> bytes | None:
    """One segment's length bytes for a field, read once per reader; None where the reader is
    not a plain segment reader."""
    reader = searcher.reader()
    perdoc = getattr(reader, "_perdoc", None)
    if not isinstance(perdoc, W3PerDocReader):
        return None
    lengths = kept_with(reader, "lengths", dict)
    if fieldname not in lengths:
        lengths[fieldname] = length_bytes(perdoc, fieldname)
    return lengths[fieldname]
