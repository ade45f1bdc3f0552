"""Searching: one function for the page and the API, filtered by what the viewer may read."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from whoosh import highlight
from whoosh.qparser import MultifieldParser, plugins
from whoosh.query import And, Or, Query, Term

from hub import permissions
from hub.errors import Invalid
from hub.search.indexing import get_store

MAX_QUERY_LENGTH = 256
MAX_TERMS = 32
MAX_PAGE = 500
SEARCH_FIELDS = ("title", "summary", "body", "attachments")
FIELD_BOOSTS = {"title": 3.0, "summary": 1.5, "body": 1.0, "attachments": 0.7}
FILTER_FIELDS = ("kind", "country", "goals", "areas", "language")


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    page: int = 1
    per_page: int = 20
    filters: dict[str, str] = field(default_factory=dict)


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
    # Snippet as (text, is_match) pieces; the template escapes the text and marks the matches.
    snippet: list[tuple[str, bool]]
    snippet_source: str


@dataclass
class SearchResults:
    request: SearchRequest
    total: int = 0
    hits: list[Hit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.request.per_page))


class _MarkerFormatter(highlight.Formatter):
    """Marks matches with private-use characters; ``_pieces`` turns them into safe segments."""

    between = " … "

    def format_token(self, text, token, replace=False):  # noqa: ANN001, ANN201
        return "\ue000" + highlight.get_text(text, token, replace) + "\ue001"


def _pieces(marked: str) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate(marked.replace("\ue001", "\ue000").split("\ue000")):
        if part:
            pieces.append((part, i % 2 == 1))
    return pieces


def parse_query(text: str, schema: Any) -> Query:
    """Parse public query text safely: no wildcards, fuzzy terms, regexes or ranges."""
    text = text.replace("\x00", " ").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise Invalid(
            _("Your search is too long: use at most %(n)d characters.", n=MAX_QUERY_LENGTH)
        )
    parser = MultifieldParser(list(SEARCH_FIELDS), schema=schema, fieldboosts=FIELD_BOOSTS)
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
    query = parser.parse(text)
    # Each word is searched in several fields; the cap counts words, not (field, word) pairs.
    words = {text for _field, text in query.iter_all_terms()}
    if len(words) > MAX_TERMS:
        raise Invalid(_("Your search has too many words: use at most %(n)d.", n=MAX_TERMS))
    return query


def _filter_query(filters: dict[str, str], viewer: Any) -> Query:
    labels = sorted(permissions.labels_for_user(viewer))
    clauses: list[Query] = [Or([Term("labels", label) for label in labels])]
    for name in FILTER_FIELDS:
        value = filters.get(name)
        if value:
            clauses.append(Term(name, value))
    return And(clauses)


def search(request: SearchRequest, *, viewer: Any) -> SearchResults:
    """Run a search for ``viewer``; only entries whose labels the viewer holds can match."""
    page = min(max(1, request.page), MAX_PAGE)
    request = SearchRequest(request.q, page, request.per_page, request.filters)
    results = SearchResults(request=request)
    with get_store().searcher() as searcher:
        query = parse_query(request.q, searcher.schema) if request.q.strip() else None
        allowed = _filter_query(request.filters, viewer)
        if query is None:
            page_obj = searcher.search_page(
                allowed, page, pagelen=request.per_page, sortedby="published", reverse=True
            )
        else:
            page_obj = searcher.search_page(
                query, page, pagelen=request.per_page, filter=allowed, terms=True
            )
        results.total = page_obj.total
        # Whoosh serves the last page for a page past the end; say which page it really is.
        results.request = request = SearchRequest(
            request.q, page_obj.pagenum, request.per_page, request.filters
        )
        page_obj.results.formatter = _MarkerFormatter()
        page_obj.results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
        for hit in page_obj:
            results.hits.append(_hit(hit, has_query=query is not None))
    return results


def _hit(hit: Any, *, has_query: bool) -> Hit:
    fields = hit.fields()
    snippet, source = [], "summary"
    if has_query:
        for name in ("body", "attachments", "summary", "title"):
            marked = hit.highlights(name, top=2)
            if marked:
                snippet, source = _pieces(marked), name
                break
    if not snippet:
        text = fields.get("summary") or fields.get("body", "")[:240]
        snippet = [(text, False)] if text else []
    published = fields.get("published")
    return Hit(
        slug=fields["slug"],
        kind=fields["kind"],
        title=fields["title"],
        country=fields.get("country", ""),
        language=fields.get("language", ""),
        published=published.date() if published else None,
        goals=[int(g) for g in fields.get("goals", "").split(",") if g],
        is_example=bool(fields.get("example")),
        score=float(hit.score or 0.0),
        snippet=snippet,
        snippet_source=source,
    )
