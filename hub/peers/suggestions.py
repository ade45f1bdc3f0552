"""Suggested matches for members: the open needs and offers read from the database, their
documents' evidence from the search engine, and the ranking of ``hub.peers.matching``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.countries.models import Country
from hub.extensions import db
from hub.peers import similarity
from hub.peers.matching import (
    CountryPair,
    DocumentEvidence,
    ItemFacts,
    PairScore,
    rank_country_pairs,
    rank_offers,
)
from hub.peers.models import ItemKind, ItemStatus, OfferNeed

MAX_NEEDS = 300  # one search per need; beyond this the page would be slow


def facts_of(item: OfferNeed) -> ItemFacts:
    return ItemFacts(
        id=item.id,
        country_id=item.country_id,
        goals=frozenset(g.number for g in item.goals),
        areas=frozenset(item.areas),
        topics=frozenset(t.id for t in item.topics),
        key_terms=similarity.key_terms(item.title, item.description),
        terms=similarity.terms(item.title, item.description),
    )


def open_items(kind: ItemKind) -> list[OfferNeed]:
    stmt = (
        select(OfferNeed)
        .where(OfferNeed.kind == kind, OfferNeed.status == ItemStatus.OPEN)
        .options(
            selectinload(OfferNeed.goals),
            selectinload(OfferNeed.topics),
            selectinload(OfferNeed.country),
        )
        .order_by(OfferNeed.id)
    )
    return list(db.session.scalars(stmt))


def evidence_for(
    need: ItemFacts, offers: list[OfferNeed], viewer: Any
) -> dict[int, DocumentEvidence]:
    """Offering country id -> what its documents say about ``need``."""
    iso_to_id = {o.country.iso3: o.country_id for o in offers if o.country_id != need.country_id}
    found = similarity.document_evidence(need.key_terms, viewer, iso_to_id)
    return {iso_to_id[iso]: evidence for iso, evidence in found.items()}


@dataclass
class Suggestions:
    """What the suggestions page shows: the ranked pairs, and the objects their ids name."""

    pairs: list[CountryPair]
    items: dict[int, OfferNeed]
    countries: dict[int, Country]
    topics: dict[int, str]


def suggestions(viewer: Any, *, country: Country | None = None) -> Suggestions:
    """Ranked pairs of countries whose open needs and offers match; with ``country``, only the
    pairs it is part of (as the country in need or the one offering)."""
    needs = open_items(ItemKind.NEED)[:MAX_NEEDS]
    offers = open_items(ItemKind.OFFER)
    need_facts = [facts_of(n) for n in needs]
    offer_facts = [facts_of(o) for o in offers]
    evidence = {
        (facts.id, country_id): found
        for facts in need_facts
        for country_id, found in evidence_for(facts, offers, viewer).items()
    }
    pairs = rank_country_pairs(need_facts, offer_facts, evidence)
    if country is not None:
        pairs = [p for p in pairs if country.id in (p.need_country_id, p.offer_country_id)]
    items = {i.id: i for i in needs + offers}
    countries = {i.country_id: i.country for i in needs + offers}
    topics = {t.id: t.title for i in needs + offers for t in i.topics}
    return Suggestions(pairs, items, countries, topics)


def offers_for_need(need: OfferNeed, viewer: Any, limit: int = 5) -> list[PairScore]:
    """The open offers of other countries that best answer one need."""
    offers = open_items(ItemKind.OFFER)
    facts = facts_of(need)
    return rank_offers(facts, [facts_of(o) for o in offers], evidence_for(facts, offers, viewer))[
        :limit
    ]
