"""Related documents ("more like this"), found through the search index.

The key terms of a document (its title and text, weighted against the whole index with Whoosh's
Bo1 expansion model) become one query over the fields of the document's language group. It runs
with the same permission filter as every search (the viewer's labels as a bit set), so a related
list never names a document the viewer could not find by searching. Terms that occur in no other
document are dropped: they can only find the document itself. When wording leaves the list short
(the only document in its language, say), documents sharing its SDG targets, goals or tags fill
it. The queries go through the engine's ``safe_or`` because an index under 5,000 documents
otherwise gets Whoosh's array matcher, which ranks OR queries wrongly (docs/search.md).
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any

from whoosh.query import Or, Query, Term
from whoosh.searching import Searcher

from hub import permissions
from hub.countries.service import country_names
from hub.documents.models import Document
from hub.search import ranking
from hub.search.analysis import group_for
from hub.search.engine import kept_with, safe_or, top_docs
from hub.search.facets import table_for
from hub.search.query import live_searcher
from hub.search.schema import TEXT_KINDS, text_field

log = logging.getLogger(__name__)

# How many key terms make the query. The cost grows with each (its postings are merged): at
# 3,000 documents, 16 terms took twice the time of 8 for nearly the same lists.
KEY_TERMS = 10
# Analysing a whole 200-page PDF on every page view would be slow; its start is representative.
MAX_TEXT = 20_000
MAX_PDF_TEXT = 10_000
# Above this many distinct words, words said only once are not weighed (they rarely win).
MANY_WORDS = 300
TIME_BUDGET = 0.25  # seconds; a related list is an aside, never worth a slow page
# Related lists per searcher (document, viewer's labels, length): repeated page views are free.
CACHE_SIZE = 2048
SHOWN = ("slug", "kind", "title", "country", "example")


@dataclass(frozen=True)
class RelatedDocument:
    """What a related list shows, taken from the index's stored fields."""

    slug: str
    kind: str
    title: str
    country: str  # ISO3, empty for guidebook sections
    country_name: str
    is_example: bool
    score: float


def key_terms(
    searcher: Searcher, docnum: int, numterms: int | None = None
) -> list[tuple[str, float]]:
    """The terms that best tell this document apart, with their weights, best first.

    Whoosh's ``more_like`` would read the terms from a stored field, but the language fields are
    not stored; the document's stored texts are analysed with its group's analyzer instead. The
    weight is Whoosh's Bo1 model (as ``key_terms_from_text``), computed here only for words the
    text repeats once it has many words, and a word's document frequency is looked up only for
    the best candidates.
    """
    numterms = numterms or KEY_TERMS
    stored = searcher.stored_fields(docnum)
    field_name = text_field("body", group_for(stored.get("language", "")))
    reader = searcher.reader()
    if field_name not in searcher.schema or not reader.field_length(field_name):
        return []
    field = searcher.schema[field_name]
    counts: Counter[bytes] = Counter()
    title = stored.get("title", "")
    texts = (title, title, stored.get("body", "")[:MAX_TEXT], stored.get("pdf", "")[:MAX_PDF_TEXT])
    for text in texts:
        if text:
            for btext, _freq, weight, _value in field.index(text):
                counts[btext] += weight
    if len(counts) > MANY_WORDS:
        counts = Counter({b: w for b, w in counts.items() if w >= 2})
    n = reader.doc_count_all()
    scored: list[tuple[float, bytes]] = []
    for btext, weight in counts.items():
        total = reader.frequency(field_name, btext)  # in the whole collection
        if total:
            f = total / n
            scored.append((weight * math.log2((1.0 + f) / f) + math.log2(1.0 + f), btext))
    scored.sort(reverse=True)
    best: list[tuple[float, bytes]] = []
    for score, btext in scored:
        # A word only this document has can find nothing else.
        if reader.doc_frequency(field_name, btext) > 1:
            best.append((score, btext))
            if len(best) == numterms:
                break
    top = best[0][0] if best else 1.0
    return [(field.from_bytes(btext), score / top) for score, btext in best]


def related_query(searcher: Searcher, docnum: int) -> Query | None:
    """One flat OR of the key terms over the title, body and PDF fields of the document's group.

    The fields share one analyzer, so a term from the text matches the same word in a title;
    field weights are the search's own (``ranking.FIELD_WEIGHTS``).
    """
    terms = key_terms(searcher, docnum)
    if not terms:
        return None
    group = group_for(searcher.stored_fields(docnum).get("language", ""))
    reader = searcher.reader()
    clauses: list[Query] = []
    for kind in TEXT_KINDS:
        field = text_field(kind, group)
        if not reader.field_length(field):
            continue
        weight = ranking.FIELD_WEIGHTS[kind]
        to_bytes = searcher.schema[field].to_bytes
        clauses += [
            Term(field, word, boost=boost * weight)
            for word, boost in terms
            if (field, to_bytes(word)) in reader  # a clause that can match nothing still costs
        ]
    return safe_or(Or(clauses))


def related_documents(doc: Document, viewer: Any, limit: int = 5) -> list[RelatedDocument]:
    """Up to ``limit`` published documents like ``doc`` that ``viewer`` may read, best first.

    Never ``doc`` itself. A document that is not in the index (a draft, or an index not yet
    built) has no related list; an index problem is logged and gives an empty list, because a
    document page must not fail for an aside.
    """
    if doc.id is None or limit < 1:
        return []
    try:
        with live_searcher() as searcher:
            hits = _search(searcher, str(doc.id), viewer, limit)
    except (OSError, RuntimeError):
        log.exception("related documents unavailable")
        return []
    names = country_names(fields.get("country", "") for fields, _score in hits)
    return [
        RelatedDocument(
            slug=fields["slug"],
            kind=fields["kind"],
            title=fields.get("title", ""),
            country=fields.get("country", ""),
            country_name=names.get(fields.get("country", ""), ""),
            is_example=bool(fields.get("example")),
            score=score,
        )
        for fields, score in hits
    ]


def _search(searcher: Searcher, doc_id: str, viewer: Any, limit: int) -> list[tuple[dict, float]]:
    docnum = searcher.document_number(id=doc_id)
    if docnum is None:
        return []
    labels = frozenset(permissions.labels_for_user(viewer))
    # Kept with the searcher, so any change to the index (a new searcher) starts afresh.
    cache: OrderedDict = kept_with(searcher, "related", OrderedDict)
    key = (docnum, labels, limit)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    found = _run(searcher, docnum, labels, limit)
    cache[key] = found
    if len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
    return found


def tag_query(searcher: Searcher, docnum: int) -> Query | None:
    """An OR of the SDG targets, goals and tags the document carries.

    It fills a related list that wording alone leaves short: the only document in its language,
    or a short text whose words no other document uses, is still related to those tagged alike.
    A shared target or a rare goal counts for more than a goal most documents carry (idf).
    """
    stored = searcher.stored_fields(docnum)
    clauses: list[Query] = []
    for name in TAG_FIELDS:
        field = searcher.schema[name]
        clauses += [Term(name, value) for value in field.process_text(stored.get(name) or "")]
    return safe_or(Or(clauses)) if clauses else None


# Stored as comma-separated values and indexed as keywords; targets are the most specific.
TAG_FIELDS = ("targets", "goals", "tags")


def _collect(
    searcher: Searcher, query: Query, allowed: int, size: int, limit: int
) -> list[tuple[int, dict, float]]:
    # Out of time, the best found so far is a fine related list.
    found, _partial = top_docs(
        searcher, query, allowed, size, limit, time.thread_time() + TIME_BUDGET
    )
    return [
        (docnum, {name: stored.get(name) for name in SHOWN}, float(score or 0.0))
        for docnum, score in found
        for stored in (searcher.stored_fields(docnum),)
    ]


def _run(
    searcher: Searcher, docnum: int, labels: frozenset[str], limit: int
) -> list[tuple[dict, float]]:
    """Documents sharing the most telling words first, then (if the list is short) those
    sharing the document's SDG targets, goals or tags."""
    table = table_for(searcher)
    allowed = table.readable(labels) & ~(1 << docnum)
    found: list[tuple[int, dict, float]] = []
    for make_query in (related_query, tag_query):
        if len(found) >= limit:
            break
        query = make_query(searcher, docnum)
        if query is None:
            continue
        for number, _fields, _score in found:
            allowed &= ~(1 << number)
        found += _collect(searcher, query, allowed, table.size, limit - len(found))
    return [(fields, score) for _number, fields, score in found]
