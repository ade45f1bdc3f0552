"""Matchmaking: how well an offer answers a need, as a pure function of their facts.

Nothing here touches the database, the index or a request: the facts come in as plain values
(``ItemFacts``, ``DocumentEvidence``), so the ranking can be tested and explained on its own.

How a pair is scored. Five signals, each a share between 0 and 1 of what the NEED asks for, so an
offer that covers the whole need scores the same whatever else it offers:

- topics:    the need's guidebook topics the offer also names. The most specific tag a member
             chooses, so it weighs most with the wording.
- words:     the need's key words (the terms that tell its text apart) found in the offer's text.
- SDGs:      the need's goals the offer also names. Broad (goal 9 covers most STI work), so it
             weighs less than topics.
- documents: how close the offering country's own published documents come to the need's key
             words, found by the Hub's search engine; 1 for the country whose documents match
             best. It says the country has written about it, not that this offer is the right one,
             so it weighs less than the offer's own words.
- areas:     the Partnership's areas of work both name. Only three exist, so a shared one says
             little.

score = 100 * sum(weight * share) / sum(weights), between 0 and 100. A country is never matched
with itself, and a pair with nothing in common (score below ``MIN_SCORE``) is not suggested.

Pairs of countries are ranked by their best pair, plus ``BREADTH_SHARE`` of each further need of
the same country that the other country answers: two countries that could help each other on
several needs come before two that share one equally good pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

WEIGHT_TOPICS = 3.0
WEIGHT_WORDS = 3.0
WEIGHT_SDGS = 2.0
WEIGHT_DOCUMENTS = 2.0
WEIGHT_AREAS = 1.0
MIN_SCORE = 5.0
# Below this similarity the documents still add their small share to the score, but are not
# named as a reason: a faint likeness (one common word) would read as a claim.
DOCUMENT_REASON_MIN = 0.3
BREADTH_SHARE = 0.25


@dataclass(frozen=True)
class Weights:
    topics: float = WEIGHT_TOPICS
    words: float = WEIGHT_WORDS
    sdgs: float = WEIGHT_SDGS
    documents: float = WEIGHT_DOCUMENTS
    areas: float = WEIGHT_AREAS

    @property
    def total(self) -> float:
        return self.topics + self.words + self.sdgs + self.documents + self.areas


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class ItemFacts:
    """What matchmaking knows of one offer or need."""

    id: int
    country_id: int
    goals: frozenset[int] = frozenset()
    areas: frozenset[str] = frozenset()
    topics: frozenset[int] = frozenset()  # guidebook section ids
    # (term, word as written), best first: the words that tell the text apart (needs use them).
    key_terms: tuple[tuple[str, str], ...] = ()
    terms: frozenset[str] = frozenset()  # every term of its title and description


@dataclass(frozen=True)
class DocumentEvidence:
    """What the search engine found for a need among one country's published documents."""

    similarity: float = 0.0  # 0..1, relative to the country whose documents matched best
    titles: tuple[str, ...] = ()  # the best of them, best first


NO_EVIDENCE = DocumentEvidence()


@dataclass(frozen=True)
class PairScore:
    """How well one offer answers one need, and why (the reasons hold only what is shared)."""

    need_id: int
    offer_id: int
    need_country_id: int
    offer_country_id: int
    score: float
    goals: tuple[int, ...] = ()
    areas: tuple[str, ...] = ()
    topics: tuple[int, ...] = ()
    words: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    document_similarity: float = 0.0


@dataclass(frozen=True)
class CountryPair:
    """A country with needs and a country whose offers answer them, with the matching pairs."""

    need_country_id: int
    offer_country_id: int
    score: float
    pairs: tuple[PairScore, ...] = field(default_factory=tuple)


def _share(asked: frozenset, given: frozenset) -> tuple[float, frozenset]:
    if not asked:
        return 0.0, frozenset()
    shared = asked & given
    return len(shared) / len(asked), shared


def score_pair(
    need: ItemFacts,
    offer: ItemFacts,
    evidence: DocumentEvidence = NO_EVIDENCE,
    weights: Weights = DEFAULT_WEIGHTS,
) -> PairScore | None:
    """The score of ``offer`` as an answer to ``need``; None for the same country or when the
    two have (next to) nothing in common."""
    if need.country_id == offer.country_id:
        return None
    topics, shared_topics = _share(need.topics, offer.topics)
    goals, shared_goals = _share(need.goals, offer.goals)
    areas, shared_areas = _share(need.areas, offer.areas)
    key = frozenset(term for term, _ in need.key_terms)
    words, shared_terms = _share(key, offer.terms)
    documents = max(0.0, min(1.0, evidence.similarity))
    total = (
        weights.topics * topics
        + weights.words * words
        + weights.sdgs * goals
        + weights.documents * documents
        + weights.areas * areas
    )
    score = round(100 * total / weights.total, 2) if weights.total else 0.0
    if score < MIN_SCORE:
        return None
    return PairScore(
        need_id=need.id,
        offer_id=offer.id,
        need_country_id=need.country_id,
        offer_country_id=offer.country_id,
        score=score,
        goals=tuple(sorted(shared_goals)),
        areas=tuple(sorted(shared_areas)),
        topics=tuple(sorted(shared_topics)),
        words=tuple(word for term, word in need.key_terms if term in shared_terms),
        documents=evidence.titles if documents >= DOCUMENT_REASON_MIN else (),
        document_similarity=documents,
    )


def rank_offers(
    need: ItemFacts,
    offers: Iterable[ItemFacts],
    evidence: Mapping[int, DocumentEvidence] | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[PairScore]:
    """The offers that answer ``need``, best first (ties: the older offer first).
    ``evidence`` maps an offering country's id to what its documents say about the need."""
    evidence = evidence or {}
    scored = [
        score_pair(need, offer, evidence.get(offer.country_id, NO_EVIDENCE), weights)
        for offer in offers
    ]
    return sorted((s for s in scored if s is not None), key=lambda s: (-s.score, s.offer_id))


def rank_country_pairs(
    needs: Iterable[ItemFacts],
    offers: Iterable[ItemFacts],
    evidence: Mapping[tuple[int, int], DocumentEvidence] | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[CountryPair]:
    """Pairs of countries (needing, offering), best first. ``evidence`` maps (need id, offering
    country id) to what that country's documents say about the need."""
    evidence = evidence or {}
    offers = list(offers)
    best: dict[tuple[int, int], dict[int, list[PairScore]]] = defaultdict(dict)
    for need in needs:
        by_country = {o.country_id: NO_EVIDENCE for o in offers}
        by_country.update(
            {c: e for (n, c), e in evidence.items() if n == need.id and c in by_country}
        )
        for pair in rank_offers(need, offers, by_country, weights):
            key = (pair.need_country_id, pair.offer_country_id)
            best[key].setdefault(need.id, []).append(pair)
    result = []
    for (need_country, offer_country), per_need in best.items():
        tops = sorted((pairs[0].score for pairs in per_need.values()), reverse=True)
        score = round(tops[0] + BREADTH_SHARE * sum(tops[1:]), 2)
        pairs = sorted(
            (p for ps in per_need.values() for p in ps), key=lambda p: (-p.score, p.need_id)
        )
        result.append(CountryPair(need_country, offer_country, score, tuple(pairs)))
    return sorted(result, key=lambda c: (-c.score, c.need_country_id, c.offer_country_id))


def reciprocal_rank(ranking: list[PairScore], best_offer_id: int) -> float:
    """1/rank of the known best offer in a need's ranking (0 when it is missing): the measure of
    the constructed matchmaking case."""
    for rank, pair in enumerate(ranking, start=1):
        if pair.offer_id == best_offer_id:
            return 1.0 / rank
    return 0.0
