"""How results are ranked: the weighting model, field weights and query rewriting.

Every query we run passes through ``safe_or()`` (the engine's: Whoosh's own ``Or`` ranks nested
ORs wrongly on small indexes, docs/search.md). Scores are BM25 per field, with each field's
statistics taken over the documents of its own language group.
"""

from __future__ import annotations

import math
from typing import Any

from whoosh import scoring
from whoosh.query import Query, Term

from hub.search.analysis import group_for
from hub.search.engine import SafeOr, kept_with, safe_or, tune_bm25

# Relative weight of each text field kind; the query parser multiplies term scores by these.
# A title counts half as much as the body: a title's words are nearly always in the text too, and
# each field's score is saturated on its own, so a title at full weight counts its words twice.
FIELD_WEIGHTS: dict[str, float] = {"title": 0.5, "body": 1.0, "pdf": 0.8}


def group_doc_counts(searcher: object) -> dict[str, int]:
    """How many documents each language group holds (deleted ones included, as Whoosh's own
    counts do), from the ``language`` field's postings; kept with the top-level searcher."""
    parent = searcher.get_parent()
    return kept_with(parent, "group_counts", lambda: _group_doc_counts(parent))


def _group_doc_counts(searcher: object) -> dict[str, int]:
    counts: dict[str, int] = {}
    reader = searcher.reader()
    if "language" in searcher.schema:
        for btext in reader.lexicon("language"):
            language = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            group = group_for(language)
            counts[group] = counts.get(group, 0) + reader.doc_frequency("language", btext)
    return counts


def field_doc_count(searcher: object, fieldname: str) -> int:
    """The documents a text field's statistics are about: those of the field's language group.

    Whoosh divides by every document in the index, so in an index of six languages a French
    word looked six times rarer and every French text six times longer than it is."""
    parent = searcher.get_parent()
    group = fieldname.rsplit("_", 1)[-1]
    count = group_doc_counts(parent).get(group, 0) if "_" in fieldname else 0
    return count or parent.doc_count_all()


def idf(doc_count: int, doc_frequency: int) -> float:
    """BM25's idf as Lucene has it: near zero for a word in every document, never negative.

    Whoosh's own, log(N / (n + 1)) + 1, gives a word found everywhere a weight of 1, a third of
    a rare word's: long questions ("what are the ... of ...") were ranked by their common words.
    """
    return math.log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


class HubBM25(scoring.BM25F):
    """BM25 per field, with each field's idf and average length taken over the documents of its
    own language group."""

    def idf(self, searcher: object, fieldname: str, text: bytes) -> float:
        parent = searcher.get_parent()
        return idf(field_doc_count(parent, fieldname), parent.doc_frequency(fieldname, text))

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: float = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        parent = searcher.get_parent()
        avgfl = (parent.field_length(fieldname) / field_doc_count(parent, fieldname)) or 1
        return tune_bm25(scorer, searcher, fieldname, text, avgfl)


# Measured on Cranfield and CISI together (bench/relevance.py): K1 2.0 and B 0.6 gained 0.004
# and 0.013 nDCG@10 over the usual 1.2 and 0.75; the SDG sets moved by a query or two either way.
K1 = 2.0
B = 0.6


def weighting() -> scoring.WeightingModel:
    """BM25 per field with per-group statistics (``HubBM25``)."""
    return HubBM25(B=B, K1=K1)


def rewrite(query: Query, searcher: object) -> Query:
    """Hook for query rewriting (proximity, expansion); always returns a ``safe_or`` query."""
    return safe_or(query)


# --- pseudo-relevance feedback for long queries over long documents ---

FEEDBACK_DOCS = 10  # top documents the new words come from
FEEDBACK_TERMS = 15  # words added
FEEDBACK_WEIGHT = 0.35  # the best new word's weight, against an ordinary query word's
# Feedback only when there is enough to go on: a question of several words (short queries
# drift: "solar" would pull in whatever the top documents also talk about), answered by
# documents long enough to say more than the query (a one-sentence text adds nothing).
# A Chinese, Japanese or Korean text is indexed as character pairs, about two per word.
FEEDBACK_MIN_QUERY_WORDS = 5
FEEDBACK_MIN_LENGTH = 50  # words, on average over the top documents
FEEDBACK_MAX_CHARS = 20_000  # of each document's text read for its words


def feedback_query(
    searcher: object, query: Query, top: list[tuple[int, dict, float]], group: str
) -> Query | None:
    """Extra words for ``query`` from its top documents (docnum, stored fields), all of language
    ``group``; None when feedback does not apply. Words are chosen by how much of the top
    documents' text they make up, times their idf; each is weighted against the best one."""
    from hub.search.analysis import analyzer_for
    from hub.search.schema import text_field

    if len(top) < FEEDBACK_DOCS or FEEDBACK_TERMS <= 0:
        return None
    fields = {text_field(kind, group) for kind in ("title", "body")}
    words = {text for fieldname, text in query.iter_all_terms() if fieldname in fields}
    per_word = 2 if group == "cjk" else 1
    if len(words) < FEEDBACK_MIN_QUERY_WORDS * per_word:
        return None
    analyzer = analyzer_for(group)
    weights: dict[str, float] = {}
    seen_in: dict[str, int] = {}
    lengths = 0
    best_score = max(score for _d, _s, score in top[:FEEDBACK_DOCS]) or 1.0
    for _docnum, stored, score in top[:FEEDBACK_DOCS]:
        share = score / best_score  # a document counts as much as it matched the question
        text = f"{stored.get('title', '')}\n{stored.get('body', '')}"[:FEEDBACK_MAX_CHARS]
        counts: dict[str, int] = {}
        for token in analyzer(text):
            counts[token.text] = counts.get(token.text, 0) + 1
        length = sum(counts.values())
        lengths += length
        for term, n in counts.items():
            weights[term] = weights.get(term, 0.0) + share * n / max(length, 1)
            seen_in[term] = seen_in.get(term, 0) + 1
    if lengths / FEEDBACK_DOCS < FEEDBACK_MIN_LENGTH * per_word:
        return None
    body = text_field("body", group)
    parent = searcher.get_parent() if hasattr(searcher, "get_parent") else searcher
    dc = field_doc_count(parent, body)
    scored = []
    for term, w in weights.items():
        if term in words or seen_in[term] < 2:
            continue
        df = parent.doc_frequency(body, term)
        scored.append((w * math.log(1 + (dc - df + 0.5) / (df + 0.5)), term))
    scored.sort(reverse=True)
    chosen = scored[:FEEDBACK_TERMS]
    if not chosen:
        return None
    best = chosen[0][0]
    title = text_field("title", group)
    clauses = [
        SafeOr(
            [Term(title, term, boost=FIELD_WEIGHTS["title"]), Term(body, term)],
            boost=FEEDBACK_WEIGHT * w / best,
        )
        for w, term in chosen
    ]
    return SafeOr(clauses)
