"""Offers and needs: who sees them, and how they are listed.

Visibility: an OPEN or CLOSED offer or need is visible to everyone, the
public included. The Partnership exists to showcase experience and support other countries, and a
country profile lists its offers and needs beside its public priorities; a country deciding whether
to join learns most from seeing what members share and seek. What stays with members is what
lets someone act on them: contact details (``Action.CONTACT_DETAILS_VIEW``), the suggested matches
(``Action.MATCH_VIEW``) and the brokered matches. A WITHDRAWN item was taken back by its country,
so only those who may edit it (its focal points and the Secretariat) still see it, to reopen it.
The posting form says that what is posted is public.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub import permissions
from hub.countries.models import Country, PartnershipStatus
from hub.countries.service import resolve_country
from hub.documents.models import Document, Kind, Status
from hub.extensions import db
from hub.peers.models import BrokeredMatch, ItemKind, ItemStatus, OfferNeed

PUBLIC_STATUSES = (ItemStatus.OPEN, ItemStatus.CLOSED)


def visible_statuses(viewer: Any, country: Country) -> tuple[ItemStatus, ...]:
    """The statuses of ``country``'s offers and needs that ``viewer`` may see."""
    if permissions.can(viewer, permissions.Action.OFFER_NEED_CREATE, country):
        return tuple(ItemStatus)
    return PUBLIC_STATUSES


def can_see(viewer: Any, item: OfferNeed) -> bool:
    """Whether ``viewer`` may see one offer or need (its page, its place in lists)."""
    if item.status in PUBLIC_STATUSES:
        return True
    return permissions.can(viewer, permissions.Action.OFFER_NEED_EDIT, item)


def _listing(stmt: Any) -> list[OfferNeed]:
    # Open first (they are what a reader can act on), then the newest.
    stmt = stmt.options(selectinload(OfferNeed.goals), selectinload(OfferNeed.topics)).order_by(
        (OfferNeed.status != ItemStatus.OPEN),
        OfferNeed.created_at.desc(),
        OfferNeed.id.desc(),
    )
    return list(db.session.scalars(stmt))


def offers_and_needs_for(country: Country, viewer: Any) -> tuple[list[OfferNeed], list[OfferNeed]]:
    """A country's offers and needs that ``viewer`` may see, open ones first, newest first.

    Country profile pages call this; the visibility rule is this module's docstring."""
    stmt = select(OfferNeed).where(
        OfferNeed.country_id == country.id,
        OfferNeed.status.in_(visible_statuses(viewer, country)),
    )
    items = _listing(stmt)
    offers = [i for i in items if i.kind is ItemKind.OFFER]
    needs = [i for i in items if i.kind is ItemKind.NEED]
    return offers, needs


def open_listing(
    *, kind: ItemKind | None = None, country: Country | None = None, goal: int | None = None
) -> list[OfferNeed]:
    """Open offers and needs of every country, for the peer learning page (public)."""
    stmt = select(OfferNeed).where(OfferNeed.status == ItemStatus.OPEN)
    if kind is not None:
        stmt = stmt.where(OfferNeed.kind == kind)
    if country is not None:
        stmt = stmt.where(OfferNeed.country_id == country.id)
    if goal is not None:
        stmt = stmt.where(OfferNeed.goals.any(number=goal))
    return _listing(stmt.options(selectinload(OfferNeed.country)))


def topic_choices() -> list[Document]:
    """Guidebook sections an offer or need may name: the published ones, by title."""
    stmt = (
        select(Document)
        .where(Document.kind == Kind.GUIDEBOOK_SECTION, Document.status == Status.PUBLISHED)
        .order_by(Document.title)
    )
    return list(db.session.scalars(stmt))


def partner_countries() -> list[Country]:
    """Countries the Secretariat may post for: the Partnership's pilots and members."""
    stmt = (
        select(Country)
        .where(Country.partnership_status.in_([PartnershipStatus.PILOT, PartnershipStatus.MEMBER]))
        .order_by(Country.name)
    )
    return list(db.session.scalars(stmt))


def matches_of(item: OfferNeed) -> list[BrokeredMatch]:
    """Brokered matches an offer or need is part of, newest first."""
    column = BrokeredMatch.need_id if item.kind is ItemKind.NEED else BrokeredMatch.offer_id
    stmt = select(BrokeredMatch).where(column == item.id).order_by(BrokeredMatch.id.desc())
    return list(db.session.scalars(stmt))


def all_matches(country: Country | None = None) -> list[BrokeredMatch]:
    """Brokered matches, newest first; with ``country``, those it is part of."""
    stmt = (
        select(BrokeredMatch)
        .options(selectinload(BrokeredMatch.need), selectinload(BrokeredMatch.offer))
        .order_by(BrokeredMatch.matched_on.desc(), BrokeredMatch.id.desc())
    )
    if country is not None:
        ids = select(OfferNeed.id).where(OfferNeed.country_id == country.id)
        stmt = stmt.where(BrokeredMatch.need_id.in_(ids) | BrokeredMatch.offer_id.in_(ids))
    return list(db.session.scalars(stmt))


def country_by_code(value: str) -> Country | None:
    """A country from an ISO2 or ISO3 code or a name, as the search filters read them."""
    iso3 = resolve_country(value) if value and value.strip() else None
    if iso3 is None:
        return None
    return db.session.scalar(select(Country).where(Country.iso3 == iso3))
