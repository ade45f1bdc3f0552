"""Listing pages: query parameters turned into a checked filter, the filtered page of documents,
the choices the filter form offers and the chips that remove one filter each."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import Select, extract, select
from sqlalchemy.orm import selectinload

from hub import permissions
from hub.countries.models import Country
from hub.documents import service
from hub.documents.models import Area, Document, Kind
from hub.documents.service import ListFilter
from hub.errors import Invalid
from hub.extensions import db
from hub.http import choice_arg, int_arg
from hub.pagination import Page, paginate
from hub.search.present import goal_names
from hub.templating import AREA_LABELS, LANGUAGE_NAMES

# The orders a listing offers; the first is the default.
SORTS = {
    "newest": lazy_gettext("Newest first"),
    "oldest": lazy_gettext("Oldest first"),
    "title": lazy_gettext("Title (A to Z)"),
}
FILTERS = ("country", "goal", "area", "language", "year")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
FIRST_YEAR, LAST_YEAR = 1900, 2100


def _country_arg() -> str | None:
    country = request.args.get("country", "").strip().upper() or None
    if country is not None and (len(country) != 3 or not country.isalpha()):
        raise Invalid(_("'country' must be a three-letter ISO code such as GHA."))
    return country


def filter_from_args(kind: Kind | None = None) -> ListFilter:
    goal = int_arg("sdg", 0, low=1, high=17) or None
    area = choice_arg("area", {a.value for a in Area})
    return ListFilter(
        kind=kind, country=_country_arg(), goal=goal, area=Area(area) if area else None
    )


@dataclass(frozen=True)
class Listing:
    """What a briefs or experiences listing shows: its filters and its order."""

    kind: Kind
    country: str | None = None
    goal: int | None = None
    area: Area | None = None
    language: str | None = None
    year: int | None = None
    sort: str = "newest"

    def args(self, **changes: Any) -> dict[str, str]:
        """The query parameters that give this listing (with ``changes``), defaults left out."""
        chosen = replace(self, **changes)
        params = {
            "country": chosen.country,
            "sdg": chosen.goal,
            "area": chosen.area.value if chosen.area else None,
            "language": chosen.language,
            "year": chosen.year,
            "sort": None if chosen.sort == "newest" else chosen.sort,
        }
        return {k: str(v) for k, v in params.items() if v}


def listing_from_args(kind: Kind) -> Listing:
    """The listing the URL asks for; a value the Hub cannot read is an Invalid with a message
    that names the parameter (shown with a 400 and a link back to the unfiltered list)."""
    base = filter_from_args(kind)
    language = request.args.get("language", "").strip() or None
    if language is not None and not _LANGUAGE.fullmatch(language):
        raise Invalid(_("'language' must be a language code such as en or fr."))
    year = int_arg("year", 0, low=FIRST_YEAR, high=LAST_YEAR) or None
    sort = choice_arg("sort", set(SORTS)) or "newest"
    return Listing(
        kind=kind,
        country=base.country,
        goal=base.goal,
        area=base.area,
        language=language,
        year=year,
        sort=sort,
    )


def _readable(viewer: Any, kind: Kind) -> Select:
    """Documents of ``kind`` the viewer may see in a listing: the one rule in hub.permissions."""
    return select(Document).where(Document.kind == kind, permissions.listed_documents(viewer))


def _filtered(stmt: Select, listing: Listing) -> Select:
    stmt = service.filtered(stmt, country=listing.country, goal=listing.goal, area=listing.area)
    if listing.language:
        stmt = stmt.where(Document.language == listing.language)
    if listing.year:
        stmt = stmt.where(
            Document.published_on.between(date(listing.year, 1, 1), date(listing.year, 12, 31))
        )
    return stmt


_ORDER = {
    "newest": (Document.published_on.desc(), Document.title),
    "oldest": (Document.published_on.asc(), Document.title),
    "title": (Document.title, Document.published_on.desc()),
}


def list_documents(listing: Listing, *, viewer: Any, page: int, per_page: int) -> Page[Document]:
    """One page of the documents of the listing's kind that the viewer may read, filtered and
    ordered as asked (the id last, so a page never repeats or skips a document)."""
    stmt = _filtered(_readable(viewer, listing.kind), listing)
    stmt = stmt.options(selectinload(Document.country), selectinload(Document.goals))
    stmt = stmt.order_by(*_ORDER[listing.sort], Document.id)
    return paginate(stmt, page, per_page)


@dataclass(frozen=True)
class Choices:
    """Values the filter form offers: only those some readable document of the kind has."""

    countries: list[tuple[str, str]]  # (iso3, name)
    goals: list[tuple[int, str]]  # (number, short name)
    languages: list[str]
    years: list[int]


def filter_choices(kind: Kind, *, viewer: Any) -> Choices:
    readable = _readable(viewer, kind).subquery()
    countries = db.session.execute(
        select(Country.iso3, Country.name)
        .where(Country.id.in_(select(readable.c.country_id)))
        .order_by(Country.name)
    ).all()
    languages = db.session.scalars(
        select(readable.c.language).distinct().order_by(readable.c.language)
    ).all()
    year = extract("year", readable.c.published_on)
    years = db.session.scalars(
        select(year).where(readable.c.published_on.is_not(None)).distinct().order_by(year.desc())
    ).all()
    return Choices(
        countries=[(iso3, name) for iso3, name in countries],
        goals=sorted((int(n), name) for n, name in goal_names().items()),
        languages=list(languages),
        years=[int(y) for y in years],
    )


@dataclass(frozen=True)
class Chip:
    text: str
    url: str  # the listing without this filter


def chips_for(listing: Listing, choices: Choices, url: Any) -> list[Chip]:
    """One chip per filter in use; ``url(**args)`` gives the listing's URL for query args."""
    countries = dict(choices.countries)
    goals = goal_names()
    chips = []
    if listing.country:
        name = countries.get(listing.country, listing.country)
        chips.append((_("Country: %(name)s", name=name), {"country": None}))
    if listing.goal:
        goal = str(listing.goal)
        text = _("SDG %(n)s · %(name)s", n=goal, name=goals[goal]) if goal in goals else None
        chips.append((text or _("SDG %(n)s", n=goal), {"goal": None}))
    if listing.area:
        chips.append((_("Area of work: %(name)s", name=AREA_LABELS[listing.area]), {"area": None}))
    if listing.language:
        name = LANGUAGE_NAMES.get(listing.language, listing.language)
        chips.append((_("Language: %(name)s", name=name), {"language": None}))
    if listing.year:
        chips.append((_("Year: %(year)s", year=listing.year), {"year": None}))
    return [Chip(text, url(**listing.args(**without))) for text, without in chips]
