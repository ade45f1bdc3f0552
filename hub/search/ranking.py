"""How results are ranked: the weighting model, field weights and query rewriting.

Whoosh's ``Or`` picks a "preloaded" array matcher on indexes under 5,000 documents, and that
matcher ranks nested ORs wrongly (search-notes.md: a query's best document fell out of the top 10
once an OR clause was added). Every query we run therefore passes through ``safe_or()``, which
forces the binary-tree union matcher.
"""

from __future__ import annotations

from whoosh import scoring
from whoosh.query import Or, Query

# Relative weight of each text field kind; the query parser multiplies term scores by these.
FIELD_WEIGHTS: dict[str, float] = {"title": 1.0, "body": 1.0, "pdf": 0.8}


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


def weighting() -> scoring.WeightingModel:
    """BM25F with the usual constants; per-field length normalisation."""
    return scoring.BM25F(B=0.75, K1=1.2)


def rewrite(query: Query, searcher: object) -> Query:  # noqa: ARG001 - the searcher is for expansion
    """Hook for query rewriting (proximity, expansion); always returns a ``safe_or`` query."""
    return safe_or(query)
