"""Matchmaking on the constructed case (tests/peers/constructed_case.py), where the best offer
for every need is known, and the scoring function on small hand-computed examples."""

from __future__ import annotations

import pytest

from hub.documents.models import Visibility
from hub.peers import similarity, suggestions
from hub.peers.matching import (
    BREADTH_SHARE,
    DEFAULT_WEIGHTS,
    DocumentEvidence,
    ItemFacts,
    Weights,
    rank_country_pairs,
    rank_offers,
    reciprocal_rank,
    score_pair,
)
from hub.peers.models import ItemKind
from hub.search import indexing
from tests import factories
from tests.peers import constructed_case


def _rankings(items, viewer, weights=DEFAULT_WEIGHTS, with_documents=True):
    offers = [i for i in items.values() if i.kind is ItemKind.OFFER]
    offer_facts = [suggestions.facts_of(o) for o in offers]
    result = {}
    for key in constructed_case.BEST:
        need = suggestions.facts_of(items[key])
        evidence = suggestions.evidence_for(need, offers, viewer) if with_documents else {}
        result[key] = rank_offers(need, offer_facts, evidence, weights)
    return result


def _figures(items, rankings):
    rrs = [
        reciprocal_rank(rankings[need], items[best].id)
        for need, best in constructed_case.BEST.items()
    ]
    return sum(1 for rr in rrs if rr == 1.0), sum(rrs) / len(rrs)


@pytest.fixture
def case(app):
    return constructed_case.build()


def test_the_known_best_offer_ranks_first_for_every_need(case):
    viewer = factories.user(country_code="GHA")
    rankings = _rankings(case, viewer)
    first, mrr = _figures(case, rankings)
    # Baselines on the same case, for the report: SDGs alone, and everything but the documents.
    sdg_only = _figures(case, _rankings(case, viewer, Weights(0, 0, 1, 0, 0)))
    no_docs = _figures(case, _rankings(case, viewer, with_documents=False))
    n = len(constructed_case.BEST)
    print(
        f"\nMatchmaking, constructed case ({n} needs, 12 offers, 6 countries): best pair first "
        f"for {first}/{n}, MRR {mrr:.3f}; SDGs alone {sdg_only[0]}/{n}, MRR {sdg_only[1]:.3f}; "
        f"without the search engine {no_docs[0]}/{n}, MRR {no_docs[1]:.3f}"
    )
    for need, best in constructed_case.BEST.items():
        assert rankings[need][0].offer_id == case[best].id, need
    assert (first, mrr) == (n, 1.0)
    # The other signals earn their weight: SDGs alone, or the words without the documents the
    # search engine finds, miss pairs that the full score ranks first.
    assert sdg_only[1] < mrr and no_docs[1] < mrr


def test_a_country_is_never_matched_with_itself(case):
    viewer = factories.user(country_code="GHA")
    for need_key, ranking in _rankings(case, viewer).items():
        need = case[need_key]
        assert all(p.offer_country_id != need.country_id for p in ranking)
    # Ethiopia's own extension platforms share the transfer topic, yet never appear.
    assert case["eth-extension"].id not in {p.offer_id for p in _rankings(case, viewer)["eth-need"]}


def test_reasons_name_what_the_best_pair_shares(case):
    viewer = factories.user(country_code="KEN")
    best = _rankings(case, viewer)["ken-need"][0]
    section = case["gha-foresight"].topics[0]
    assert best.topics == (section.id,)
    assert best.goals == (9, 17)
    assert best.areas == ("capabilities",)
    assert {"foresight", "horizon", "scenarios", "workshops"} <= set(best.words)
    assert best.documents[0] == "Scenarios to 2040: Ghana's technology foresight"
    assert best.document_similarity == 1.0


def test_country_pairs_put_the_designed_pair_first_for_each_need(case):
    viewer = factories.user(country_code="GHA")
    found = suggestions.suggestions(viewer)
    assert found.pairs, "no suggestions"
    assert all(p.need_country_id != p.offer_country_id for p in found.pairs)
    for need_key, best_key in constructed_case.BEST.items():
        need, best = case[need_key], case[best_key]
        # The country pairs answering this need, by their best pair for it.
        answering = [
            (max(x.score for x in p.pairs if x.need_id == need.id), p)
            for p in found.pairs
            if any(x.need_id == need.id for x in p.pairs)
        ]
        top = max(answering, key=lambda t: t[0])[1]
        assert top.offer_country_id == best.country_id, need_key
        assert [x for x in top.pairs if x.need_id == need.id][0].offer_id == best.id
    scores = [p.score for p in found.pairs]
    assert scores == sorted(scores, reverse=True)


def test_a_country_answering_two_needs_of_another_ranks_by_both(case):
    """Ghana has two needs; its pair with India (one excellent answer) and with Kenya (one
    excellent answer) are scored by the best pair plus a share of the others."""
    viewer = factories.user(country_code="GHA")
    found = suggestions.suggestions(viewer, country=case["gha-need"].country)
    for pair in found.pairs:
        assert case["gha-need"].country_id in (pair.need_country_id, pair.offer_country_id)
        per_need: dict[int, float] = {}
        for x in pair.pairs:
            per_need[x.need_id] = max(per_need.get(x.need_id, 0.0), x.score)
        tops = sorted(per_need.values(), reverse=True)
        assert pair.score == round(tops[0] + BREADTH_SHARE * sum(tops[1:]), 2)


def test_the_public_view_of_documents_counts_only_what_the_viewer_may_read(case):
    """Members-only documents are evidence only for members (the search runs as the viewer)."""
    factories.document(
        title="Members-only note on quantum sensing", body="Quantum sensing quantum sensing.",
        country_code="SRB", visibility=Visibility.MEMBERS,
    )  # fmt: skip
    indexing.catch_up()
    key = similarity.key_terms("Quantum sensing", "")
    assert similarity.document_evidence(key, None, ["SRB"]) == {}
    member = factories.user(country_code="GHA")
    assert similarity.document_evidence(key, member, ["SRB"])["SRB"].similarity == 1.0


# --- the scoring function, by hand ---


def _facts(i, country, **kw):
    return ItemFacts(id=i, country_id=country, **kw)


def test_score_is_the_weighted_share_of_what_the_need_asks_for():
    need = _facts(
        1, 1, goals=frozenset({9, 17}), areas=frozenset({"capabilities"}),
        topics=frozenset({5}), key_terms=(("foresight", "foresight"), ("scenario", "scenarios")),
    )  # fmt: skip
    offer = _facts(
        2, 2, goals=frozenset({9}), areas=frozenset({"capabilities", "collaboration"}),
        topics=frozenset({5, 6}), terms=frozenset({"foresight", "other"}),
    )  # fmt: skip
    pair = score_pair(need, offer, DocumentEvidence(0.5, ("A brief",)))
    # topics 1 x 3, words 1/2 x 3, SDGs 1/2 x 2, documents 0.5 x 2, areas 1 x 1, of 11
    assert pair.score == round(100 * (3 + 1.5 + 1 + 1 + 1) / 11, 2)
    assert (pair.goals, pair.topics, pair.words, pair.areas) == ((9,), (5,), ("foresight",),
                                                                 ("capabilities",))  # fmt: skip
    assert pair.documents == ("A brief",)


def test_same_country_and_nothing_in_common_give_no_pair():
    need = _facts(1, 1, goals=frozenset({9}))
    assert score_pair(need, _facts(2, 1, goals=frozenset({9}))) is None
    assert score_pair(need, _facts(3, 2, goals=frozenset({3}))) is None


def test_a_country_answering_several_needs_ranks_above_one_answering_one_as_well():
    needs = [_facts(1, 1, goals=frozenset({9})), _facts(2, 1, goals=frozenset({7}))]
    offers = [
        _facts(10, 2, goals=frozenset({9})),
        _facts(11, 2, goals=frozenset({7})),
        _facts(12, 3, goals=frozenset({9})),
    ]
    pairs = rank_country_pairs(needs, offers)
    assert [(p.need_country_id, p.offer_country_id) for p in pairs] == [(1, 2), (1, 3)]
    assert pairs[0].score > pairs[1].score


def test_faint_document_likeness_counts_but_is_not_named_as_a_reason():
    need = _facts(1, 1, goals=frozenset({9}))
    offer = _facts(2, 2, goals=frozenset({9}))
    faint = score_pair(need, offer, DocumentEvidence(0.2, ("Barely related",)))
    none = score_pair(need, offer)
    assert faint.score > none.score
    assert faint.documents == ()


def test_key_words_keep_compounds_and_leave_out_generic_words():
    words = [w for _, w in similarity.key_terms("We want to learn about start-ups", "Deep-tech.")]
    assert words == ["start-ups", "deep-tech"]
    assert similarity.terms("Start-ups", "") == similarity.terms("startups", "")
