"""What the page and the API show of a search: facet labels, filter chips, result records.

Kept apart from the search itself so that both front ends label things the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from hub.countries.service import country_names
from hub.documents.models import Area, Kind
from hub.extensions import db
from hub.sdg.models import SdgGoal
from hub.search.query import Hit, SearchResults
from hub.templating import AREA_LABELS, LANGUAGE_NAMES, document_url, kind_label

_KINDS = frozenset(kind.value for kind in Kind)
_AREAS = frozenset(area.value for area in Area)

FACET_TITLES = {
    "kind": lambda: _("Kind"),
    "country": lambda: _("Country"),
    "region": lambda: _("Region"),
    "sdg": lambda: _("SDG"),
    "area": lambda: _("Area of work"),
    "year": lambda: _("Year"),
    "language": lambda: _("Language"),
    "tag": lambda: _("Tag"),
}


def goal_names() -> dict[str, str]:
    """Goal number -> short name in the reader's language ("Zero hunger"), English if none."""
    locale = get_locale()
    lang = locale.language if locale else "en"
    return {str(g.number): g.short_title(lang) for g in db.session.scalars(select(SdgGoal))}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


def labeller(results: SearchResults) -> Any:
    """A function (param, value) -> label, with country names looked up once."""
    codes = set(results.facets.get("country", {})) | set(results.filters.get("country", []))
    codes |= {hit.country for hit in results.hits}
    names = country_names(codes)
    goals = goal_names() if results.facets.get("sdg") or results.filters.get("sdg") else {}

    def label(param: str, value: str) -> str:
        if param == "kind":
            return kind_label(value) if value in _KINDS else value
        if param == "country":
            return names.get(value, value)
        if param == "sdg":
            if value in goals:
                return _("SDG %(n)s · %(name)s", n=value, name=goals[value])
            return _("SDG %(n)s", n=value)
        if param == "area":
            return str(AREA_LABELS[Area(value)]) if value in _AREAS else value
        if param == "language":
            return LANGUAGE_NAMES.get(value, value)
        return value

    return label


def _chip_text(title: str, value: str) -> str:
    """Chips read "Country: Ghana", but "SDG 6" (not "SDG: SDG 6"): that value names its facet."""
    return value if value.startswith(title) else f"{title}: {value}"


def facet_values(results: SearchResults, label: Any) -> dict[str, list[FacetValue]]:
    out: dict[str, list[FacetValue]] = {}
    for param, counts in results.facets.items():
        chosen = set(results.filters.get(param, []))
        items = [FacetValue(v, label(param, v), n, v in chosen) for v, n in counts.items()]
        if param == "year":
            items.sort(key=lambda f: f.value, reverse=True)
        elif param == "sdg":
            items.sort(key=lambda f: int(f.value))
        out[param] = items
    return out


def _absolute(path: str) -> str:
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path


def hit_record(hit: Hit, label: Any) -> dict[str, Any]:
    """One result as the API returns it."""
    text = "".join(piece for piece, _matched in hit.snippet.pieces)
    highlights, at = [], 0
    for piece, matched in hit.snippet.pieces:
        if matched:
            highlights.append([at, at + len(piece)])
        at += len(piece)
    return {
        "slug": hit.slug,
        "title": hit.title,
        "kind": hit.kind,
        "country": hit.country or None,
        "country_name": label("country", hit.country) if hit.country else None,
        "language": hit.language,
        "sdgs": hit.goals,
        "published": hit.published.isoformat() if hit.published else None,
        "url": _absolute(document_url(kind=hit.kind, slug=hit.slug)),
        "example": hit.is_example,
        "snippet": text,
        "highlights": highlights,
        "snippet_source": {
            "field": hit.snippet.source,
            "attachment": hit.snippet.attachment or None,
            "page": hit.snippet.page,
        },
        "score": round(hit.score, 4),
    }


def api_payload(results: SearchResults) -> dict[str, Any]:
    label = labeller(results)
    facets = {
        param: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
        for param, values in facet_values(results, label).items()
    }
    return {
        "q": results.request.q,
        "total": results.total,
        "page": results.request.page,
        "per_page": results.request.per_page,
        "sort": results.request.sort,
        "filters": results.filters,
        "results": [hit_record(hit, label) for hit in results.hits],
        "facets": facets,
        "suggestion": results.suggestion,
        "partial": results.partial,
    }


@dataclass
class Link:
    label: str
    url: str
    count: int | None = None
    selected: bool = False


@dataclass
class PageLinks:
    """Every link the results page shows, built here so the template only prints them."""

    facets: dict[str, list[Link]]
    chips: list[tuple[str, Link]]  # (what the chip reads, link that removes the filter)
    sorts: list[Link]
    suggestion: Link | None
    relax: list[Link]  # for an empty result: drop one filter, with the count it would give
    label: Any  # (param, value) -> label, as ``labeller`` gives, for the results' own facts


def page_links(results: SearchResults, args: dict[str, list[str]], url_for_args: Any) -> PageLinks:
    """``url_for_args(dict)`` turns query parameters into a URL of the search page."""
    label = labeller(results)
    base = {k: list(v) for k, v in args.items() if k not in ("page",)}
    # Typed filters (country:GHA in q) and chosen ones are shown and removed alike.
    chosen = {p: list(v) for p, v in results.filters.items()}

    def with_filters(filters: dict[str, list[str]], **extra: Any) -> str:
        params = {k: v for k, v in base.items() if k not in FACET_TITLES}
        params["q"] = [results.text_without_filters]
        params.update({k: v for k, v in filters.items() if v})
        params.update(extra)
        return url_for_args(params)

    def toggled(param: str, value: str) -> dict[str, list[str]]:
        filters = {p: list(v) for p, v in chosen.items()}
        values = filters.setdefault(param, [])
        if value in values:
            values.remove(value)
        else:
            values.append(value)
        return filters

    # A filter typed into q is removed by removing it from q, which the chips cannot do;
    # instead the chip drops every typed filter of that kind by clearing q's filter words.
    facets = {
        param: [
            Link(f.label, with_filters(toggled(param, f.value)), f.count, f.selected)
            for f in values
        ]
        for param, values in facet_values(results, label).items()
    }
    chips = [
        (
            _chip_text(FACET_TITLES[param](), label(param, value)),
            Link(label(param, value), with_filters(toggled(param, value))),
        )
        for param, values in chosen.items()
        for value in values
    ]
    sorts = [
        Link(
            _("Relevance") if sort == "relevance" else _("Newest first"),
            with_filters(chosen, sort=sort),
            selected=results.request.sort == sort,
        )
        for sort in ("relevance", "date")
    ]
    suggestion = None
    if results.suggestion:
        suggestion = Link(results.suggestion, with_filters(chosen, q=results.suggestion))
    relax = [
        Link(
            _(
                "without %(facet)s: %(value)s",
                facet=FACET_TITLES[param](),
                value=label(param, value),
            ),
            with_filters(toggled(param, value)),
            count,
        )
        for (param, value), count in results.without_filter.items()
        if count
    ]
    return PageLinks(facets, chips, sorts, suggestion, relax, label)
