"""Searching: the one search function behind the page and the JSON API.

A search is parsed (hub.search.syntax), run against every language group present in the index,
ranked (hub.search.ranking), filtered by the viewer's permission labels and the chosen facets (bit
sets from hub.search.facets), and returned with facet counts, snippets and a "did you mean".
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from whoosh.qparser import MultifieldParser, OrGroup, plugins
from whoosh.query import And, AndNot, Every, Not, NullQuery, Phrase, Query, Term
from whoosh.searching import Searcher

from hub import permissions
from hub.countries.service import resolve_country
from hub.errors import Invalid
from hub.pagination import Page
from hub.search import engine, ranking
from hub.search.analysis import GROUPS, group_for
from hub.search.engine import match_mask
from hub.search.facets import FILTER_ONLY_FIELDS, FacetTable, table_for
from hub.search.indexing import get_store
from hub.search.schema import TEXT_KINDS, text_field
from hub.search.snippets import Snippet, preload_tokens, snippet_for
from hub.search.suggest import readable_groups, suggest
from hub.search.syntax import (
    FILTER_PARAMS,
    PUBLIC_LIMITS,
    QueryLimits,
    check_limits,
    clean,
    normalise_filters,
    split_fields,
    without_filters,
)

MAX_QUERY_LENGTH = PUBLIC_LIMITS.max_length
MAX_TERMS = PUBLIC_LIMITS.max_terms
MAX_PAGE = 500
MAX_PER_PAGE = 100  # what a URL may ask for
MAX_PAGE = 10_000  # as for every other listing (hub/http.py int_arg)
MAX_CONFIGURED_PER_PAGE = 1000  # what the operator's HUB_PER_PAGE may set
SORTS = ("relevance", "date")
# The share of a search's time budget kept back from ranking for the page's snippets: ranking
# stops that much earlier, so that a search cut short still ends within its budget.
SNIPPET_SHARE = 0.1


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    page: int = 1
    per_page: int = 20
    # URL parameter name (kind, country, region, sdg, area, year, language) -> chosen values.
    filters: Mapping[str, Any] = field(default_factory=dict)
    sort: str = "relevance"


@dataclass
class Hit:
    slug: str
    kind: str
    title: str
    country: str
    language: str
    published: date | None
    goals: list[int]
    is_example: bool
    score: float
    snippet: Snippet


@dataclass
class SearchResults:
    request: SearchRequest
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    # URL parameter -> {value: count} for the current matches, largest first.
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # The filters in force, after checking (typed ones included): parameter -> values.
    filters: dict[str, list[str]] = field(default_factory=dict)
    suggestion: str | None = None
    # The query text without typed filters: links carry the filters as parameters instead.
    text_without_filters: str = ""
    # For an empty result: how many results there would be without each filter.
    without_filter: dict[tuple[str, str], int] = field(default_factory=dict)
    # True when the time budget ran out and the ranking covers only part of the matches.
    partial: bool = False
    only_common_words: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.request.per_page))

    @property
    def as_page(self) -> Page[Hit]:
        """The hits as a page of all matches, for the same page links as every other list."""
        return Page(self.hits, self.request.page, self.request.per_page, self.total)


@dataclass(frozen=True)
class Budget:
    """A search's deadlines, in thread CPU time: ranking stops at ``ranking``, so that the
    snippets, which stop at ``end``, fit in the rest."""

    ranking: float
    end: float

    @classmethod
    def starting_now(cls, seconds: float) -> Budget:
        end = time.thread_time() + seconds
        return cls(ranking=end - seconds * SNIPPET_SHARE, end=end)


# --- searchers ---


@contextmanager
def live_searcher() -> Iterator[Searcher]:
    """A searcher on the live index, reused between searches in the same thread (the engine's
    ``live_searcher``), scoring with the Hub's weighting model."""
    with engine.live_searcher(get_store(), ranking.weighting) as searcher:
        yield searcher


def forget_searcher() -> None:
    """Close this thread's cached searcher (tests and rebuilds call it)."""
    engine.forget_searcher()


# --- parsing ---


def present_groups(searcher: Searcher) -> list[str]:
    """Language groups that have any text in the index; only their fields are searched."""
    reader = searcher.reader()
    return engine.kept_with(
        searcher,
        "groups",
        lambda: [
            g
            for g in GROUPS
            if any(reader.field_length(text_field(kind, g)) for kind in TEXT_KINDS)
        ],
    )


def _parser(searcher: Searcher, kinds: tuple[str, ...], groups: list[str]) -> MultifieldParser:
    fields = [text_field(kind, g) for g in groups for kind in kinds]
    boosts = {text_field(kind, g): ranking.FIELD_WEIGHTS[kind] for g in groups for kind in kinds}
    parser = MultifieldParser(fields, schema=searcher.schema, fieldboosts=boosts, group=OrGroup)
    for plugin_cls in (
        plugins.WildcardPlugin,
        plugins.FuzzyTermPlugin,
        plugins.RegexPlugin,
        plugins.RangePlugin,
        plugins.FieldsPlugin,
        plugins.BoostPlugin,
        plugins.EveryPlugin,
    ):
        parser.remove_plugin_class(plugin_cls)
    # Only a sign at the start of a word is an operator: "low-cost" and "C++" are words.
    parser.add_plugin(
        plugins.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)")
    )
    return parser


# "a NOT b" means "a without b", as -b does; Whoosh's NOT would be "a, or anything without b".
_NOT = re.compile(r"(?:(?<=[\s(])|^)NOT\s+(?=\S)")


def _not_as_minus(text: str) -> str:
    return _NOT.sub("-", text)


def text_query(
    searcher: Searcher, text: str, titles: list[str], groups: list[str] | None = None
) -> Query | None:
    """The ranked part of a search, or None when there are no words to rank by. ``groups``: the
    languages whose analysis reads the words; a search passes those the reader has documents
    in, so which words count as common never depends on hidden documents."""
    groups = present_groups(searcher) if groups is None else groups
    if not groups:
        return NullQuery
    parts: list[Query] = []
    if text:
        parts.append(_parser(searcher, TEXT_KINDS, groups).parse(_not_as_minus(text)))
    for title in titles:
        parts.append(_parser(searcher, ("title",), groups).parse(title))
    parts = [p for p in parts if p is not NullQuery]
    if not parts and (text or titles):
        return NullQuery
    if not parts:
        return None
    return ranking.safe_or(parts[0] if len(parts) == 1 else And(parts))


# --- searching ---


def _filter_mask(table: FacetTable, filters: dict[str, list[str]]) -> int:
    mask = -1
    for param, values in filters.items():
        mask &= table.any_of(FILTER_PARAMS[param], values)
    return mask


def facet_counts(
    table: FacetTable, base: int, filters: dict[str, list[str]]
) -> dict[str, dict[str, int]]:
    """Counts per facet value. A facet's own filter is left out of its counts, so after
    choosing Ghana the other countries still show how many results adding them would give;
    every other facet is narrowed by all the filters."""
    counts: dict[str, dict[str, int]] = {}
    for param, field_name in FILTER_PARAMS.items():
        if field_name in FILTER_ONLY_FIELDS:
            continue
        others = {p: v for p, v in filters.items() if p != param}
        counted = table.counts(base & _filter_mask(table, others), [field_name])[field_name]
        counts[param] = dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))
    return counts


def search(
    request: SearchRequest, *, viewer: Any, limits: QueryLimits = PUBLIC_LIMITS
) -> SearchResults:
    """Run a search for ``viewer``; only documents whose labels the viewer holds can match."""
    # The budget covers the whole search, from parsing to snippets, in CPU time: on a busy
    # machine, waiting for a core would otherwise cut rankings short at random.
    budget = Budget.starting_now(limits.time_budget)
    q = clean(request.q)
    check_limits(q, limits)
    if request.sort not in SORTS:
        raise Invalid(_("Sort by relevance or by date."))
    per_page = request.per_page
    if not 1 <= per_page <= MAX_CONFIGURED_PER_PAGE:
        raise Invalid(_("Show between 1 and %(n)d results per page.", n=MAX_PER_PAGE))
    parsed = split_fields(q)
    raw: dict[str, list[str]] = {}
    for param, values in request.filters.items():
        raw.setdefault(param, []).extend([values] if isinstance(values, str) else list(values))
    for param, values in parsed.filters.items():
        raw.setdefault(param, []).extend(values)
    filters = normalise_filters(raw, resolve_country=resolve_country)
    page = min(max(1, request.page), MAX_PAGE)
    request = SearchRequest(q, page, per_page, filters, request.sort)
    results = SearchResults(
        request=request, filters=filters, text_without_filters=without_filters(q)
    )

    with live_searcher() as searcher:
        table = table_for(searcher)
        allowed = table.readable(permissions.labels_for_user(viewer))
        selected = allowed & _filter_mask(table, filters)
        groups = readable_groups(table, allowed, present_groups(searcher))
        query = text_query(searcher, parsed.text, parsed.title, groups)
        if query is NullQuery:
            results.only_common_words = bool(parsed.text or parsed.title) and bool(groups)
            text_matches = 0
        elif query is None:
            text_matches = allowed  # every text match below is within what the viewer may read
        else:
            text_matches = match_mask(query, searcher, table.live, table.size) & allowed
        matches = text_matches & selected
        results.total = matches.bit_count()
        results.facets = facet_counts(table, text_matches, filters)
        if q and query is not None:
            results.suggestion = suggest(searcher, parsed.text, allowed, table, groups)
        if results.total == 0:
            for param, values in filters.items():
                for value in values:
                    rest = {p: v for p, v in filters.items() if p != param}
                    if len(values) > 1:
                        rest[param] = [v for v in values if v != value]
                    n = (text_matches & _filter_mask(table, rest)).bit_count()
                    results.without_filter[(param, value)] = n
            return results
        pages = max(1, math.ceil(results.total / per_page))
        if page > pages:
            page = pages
            results.request = request = SearchRequest(q, page, per_page, filters, request.sort)
        _collect_hits(searcher, query, matches, table, request, results, budget)
    return results


def _collect_hits(
    searcher: Searcher,
    query: Query | None,
    matches: int,
    table: FacetTable,
    request: SearchRequest,
    results: SearchResults,
    budget: Budget,
) -> None:
    limit = request.page * request.per_page
    by_date = query is None or request.sort == "date"
    ranked = ranking.rewrite(_phrases_as_words(query), searcher) if query is not None else Every()
    start = (request.page - 1) * request.per_page
    depth = limit if by_date else max(limit, ranking.FEEDBACK_DOCS)
    scored = _ranked(searcher, ranked, matches, table, depth, by_date, budget.ranking, results)
    if not by_date and not results.partial:
        expanded = _with_feedback(searcher, query, ranked, scored)
        if expanded is not None:
            scored = _ranked(
                searcher, expanded, matches, table, limit, False, budget.ranking, results
            )
    scored = scored[start:limit]
    terms = _terms_by_field(query, searcher) if query is not None else {}
    page = [(docnum, score, searcher.stored_fields(docnum)) for docnum, score in scored]
    groups = {docnum: group_for(fields.get("language", "")) for docnum, _s, fields in page}
    preloaded = preload_tokens(searcher.reader(), list(groups.items()), terms, budget.end)
    for docnum, score, fields in page:
        group = groups[docnum]
        snippet = snippet_for(docnum, fields, group, preloaded)
        published = fields.get("published")
        results.hits.append(
            Hit(
                slug=fields["slug"],
                kind=fields["kind"],
                title=fields.get("title", ""),
                country=fields.get("country", ""),
                language=fields.get("language", ""),
                published=published.date() if published else None,
                goals=[int(g) for g in fields.get("goals", "").split(",") if g],
                is_example=bool(fields.get("example")),
                score=float(score or 0.0),
                snippet=snippet,
            )
        )


def _ranked(
    searcher: Searcher,
    ranked: Query,
    matches: int,
    table: FacetTable,
    limit: int,
    by_date: bool,
    deadline: float,
    results: SearchResults,
) -> list[tuple[int, float]]:
    """The first ``limit`` of ``matches`` (docnum, score), by ``ranked`` or by date."""
    scored, partial = engine.top_matches(
        searcher, ranked, matches, table.size, limit,
        by_date=by_date, deadline=deadline, exact_up_to=SMALL_MATCH_SET,
    )  # fmt: skip
    results.partial = results.partial or partial
    return scored


def _with_feedback(
    searcher: Searcher, query: Query, ranked: Query, scored: list[tuple[int, float]]
) -> Query | None:
    """The ranked query with words from its top documents added (ranking.feedback_query), or
    None. Only documents already in ``scored`` (matches the viewer may read) are used, and the
    expanded query only reorders the same matches: totals and facets do not change."""
    top = [
        (docnum, searcher.stored_fields(docnum), score)
        for docnum, score in scored[: ranking.FEEDBACK_DOCS]
    ]
    if not top:
        return None
    groups = {group_for(stored.get("language", "")) for _d, stored, _s in top}
    if len(groups) != 1:
        return None
    extra = ranking.feedback_query(searcher, query, top, groups.pop())
    if extra is None:
        return None
    return engine.SafeOr([ranked, extra])


# Up to this many matches, ranking visits only the matching documents instead of walking the
# query's matcher through every candidate (a phrase of common words has thousands of them).
SMALL_MATCH_SET = 2000


def _phrases_as_words(query: Query) -> Query:
    """The ranking pass runs only over ``matches``, where every phrase has already been checked
    word by word in order; ranking can then score a phrase by its words (as Whoosh does) without
    checking the positions a second time, the costliest part of a phrase search. A document that
    matched through another OR clause may then get credit for the phrase's words out of order:
    that reorders documents that match anyway and never adds one."""

    def swap(node: Query) -> Query:
        if isinstance(node, Phrase):
            return And([Term(node.fieldname, word) for word in node.words], boost=node.boost)
        return node

    return query.accept(swap)


def _nodes(query: Query) -> Iterator[Query]:
    yield query
    for child in query.children():
        yield from _nodes(child)


def _terms_by_field(query: Query, searcher: Searcher) -> dict[str, set[bytes]]:
    """The words to highlight: every term of the query, by field, except excluded ones."""
    excluded = set()
    for node in _nodes(query):
        if isinstance(node, AndNot):
            excluded |= set(node.b.iter_all_terms())
        elif isinstance(node, Not):
            excluded |= set(node.query.iter_all_terms())
    terms: dict[str, set[bytes]] = {}
    for fieldname, text in query.iter_all_terms():
        if (fieldname, text) in excluded or fieldname not in searcher.schema:
            continue
        terms.setdefault(fieldname, set()).add(searcher.schema[fieldname].to_bytes(text))
    return terms


def request_from_args(args: Mapping[str, Any], *, per_page: int | None = None) -> SearchRequest:
    """A search request from URL parameters, shared by the page and the API."""

    def one_int(name: str, default: int) -> int:
        raw = args.get(name)
        if raw in (None, ""):
            return default
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise Invalid(_("“%(name)s” must be a whole number.", name=name)) from None

    page = one_int("page", 1)
    if page < 1:
        raise Invalid(_("“page” must be 1 or more."))
    if page > MAX_PAGE:
        raise Invalid(_("“page” must be %(n)d or less.", n=MAX_PAGE))
    if args.get("per_page") not in (None, ""):
        size = one_int("per_page", 0)
        if not 1 <= size <= MAX_PER_PAGE:
            raise Invalid(_("Show between 1 and %(n)d results per page.", n=MAX_PER_PAGE))
    else:
        size = per_page or current_app.config["PER_PAGE"]
    filters = {
        param: [v for v in args.getlist(param) if v] for param in FILTER_PARAMS if param in args
    }
    sort = args.get("sort") or "relevance"
    return SearchRequest(q=args.get("q", ""), page=page, per_page=size, filters=filters, sort=sort)
