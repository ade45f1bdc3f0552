"""Scoring: BM25 with each language group's own statistics, and feedback for long questions.

What was measured with these choices is in bench/relevance.py's docstring; these tests pin down the
behaviour, not the figures.
"""

from __future__ import annotations

import math
import random

import pytest

from hub.search import indexing, ranking
from hub.search.query import SearchRequest, live_searcher, search
from tests import factories

WORDS = (  # noqa: SIM905 - one readable line of words
    "energy solar wind policy innovation research university firm transfer technology water "
    "health school digital skills finance market climate farm crop training network data "
    "village city road grid battery export import law budget ministry agency lab patent"
).split()


def hits(q: str, per_page: int = 100, **filters: str) -> list[tuple[str, float]]:
    results = search(SearchRequest(q, per_page=per_page, filters=filters), viewer=None)
    return [(h.slug, h.score) for h in results.hits]


# --- per-group statistics ---


def test_a_language_group_counts_only_its_own_documents(app):
    for n in range(3):
        factories.document(slug=f"fr-{n}", body="Énergie solaire au village.", language="fr")
    for n in range(7):
        factories.document(slug=f"en-{n}", body="Solar energy in the village.", language="en")
    indexing.catch_up()
    with live_searcher() as searcher:
        assert ranking.field_doc_count(searcher, "body_fr") == 3
        assert ranking.field_doc_count(searcher, "body_en") == 7
        assert ranking.field_doc_count(searcher, "body_de") == searcher.doc_count_all()


def test_documents_in_other_languages_do_not_change_a_french_ranking_or_its_scores(app):
    """Whoosh divides by every document: a French word looked rarer, and French texts longer,
    the more English documents the index held."""
    factories.document(slug="fr-a", title="Énergie", body="Énergie solaire au village.",
                       language="fr", summary="")  # fmt: skip
    body = "L'eau du village et l'énergie des moulins, des routes et des écoles du pays."
    factories.document(slug="fr-b", title="Eau", body=body, language="fr", summary="")
    factories.document(slug="fr-c", title="Routes", body="Les routes.", language="fr", summary="")
    indexing.catch_up()
    before = hits("énergie village", language="fr")
    rng = random.Random(3)
    for n in range(40):
        body = " ".join(rng.choice(WORDS) for _ in range(200))
        factories.document(slug=f"en-{n}", body=body, language="en", summary="")
    indexing.catch_up()
    after = hits("énergie village", language="fr")
    assert [s for s, _ in after] == [s for s, _ in before]
    assert all(math.isclose(a, b) for (_, a), (_, b) in zip(after, before, strict=True))


def test_a_word_in_every_document_weighs_almost_nothing_but_never_less_than_nothing(app):
    for n in range(20):
        body = "policy " + ("solar" if n == 0 else "water")
        factories.document(slug=f"d-{n}", body=body, summary="", title=f"T{n}")
    indexing.catch_up()
    model = ranking.weighting()
    with live_searcher() as searcher:
        common = model.idf(searcher, "body_en", b"polici")
        rare = model.idf(searcher, "body_en", b"solar")
    assert 0 < common < 0.1
    assert rare > 20 * common


# --- feedback ---


@pytest.fixture
def long_texts(app):
    """60 long documents of random words; ten of them are about battery storage on the grid."""
    rng = random.Random(11)
    for n in range(60):
        words = [rng.choice(WORDS) for _ in range(rng.randint(80, 160))]
        if n % 6 == 0:
            words += ["battery", "storage", "grid", "lithium", "inverter"] * 3
        factories.document(slug=f"long-{n}", title=" ".join(rng.sample(WORDS, 3)),
                           body=" ".join(words), summary="")  # fmt: skip
    indexing.catch_up()
    return app


LONG_QUESTION = "battery storage for the electricity grid of a village with solar panels"


def test_feedback_adds_words_from_the_top_documents_to_a_long_question(long_texts):
    from hub.search.query import text_query

    with live_searcher() as searcher:
        query = text_query(searcher, LONG_QUESTION, [])
        top = [(d, searcher.stored_fields(d), 10.0 - i) for i, d in
               enumerate(searcher.docs_for_query(query))][:10]  # fmt: skip
        extra = ranking.feedback_query(searcher, query, top, "en")
    assert extra is not None
    added = {t for _f, t in extra.iter_all_terms()}
    assert 0 < len(added) <= ranking.FEEDBACK_TERMS
    asked = {t for _f, t in query.iter_all_terms()}
    assert not added & asked


def test_no_feedback_for_a_short_query_or_short_documents(long_texts):
    from hub.search.query import text_query

    with live_searcher() as searcher:
        query = text_query(searcher, "battery storage", [])
        top = [(d, searcher.stored_fields(d), 1.0) for d in searcher.docs_for_query(query)][:10]
        assert ranking.feedback_query(searcher, query, top, "en") is None
        long_query = text_query(searcher, LONG_QUESTION, [])
        short = [
            (d, {"title": "Grid", "body": "battery storage grid village"}, 1.0) for d, *_ in top
        ]
        assert ranking.feedback_query(searcher, long_query, short, "en") is None


def test_feedback_reorders_the_same_matches_and_keeps_the_plain_top_hit(long_texts, monkeypatch):
    with_feedback = search(SearchRequest(LONG_QUESTION, per_page=100), viewer=None)
    monkeypatch.setattr(ranking, "FEEDBACK_TERMS", 0)
    plain = search(SearchRequest(LONG_QUESTION, per_page=100), viewer=None)
    assert with_feedback.total == plain.total
    assert {h.slug for h in with_feedback.hits} == {h.slug for h in plain.hits}
    # The OR-matcher guard (docs/search.md): adding clauses never drops the plain top hit.
    assert plain.hits[0].slug in [h.slug for h in with_feedback.hits[:10]]
    assert with_feedback.hits[0].slug.startswith("long-")


def test_feedback_comes_only_from_documents_the_viewer_may_read(long_texts, monkeypatch):
    """A private document full of one word must not pull that word into a public search."""
    from hub.documents.models import Visibility

    factories.document(slug="secret", title="battery storage grid village solar",
                       body=("battery storage grid village solar electricity zeppelin " * 40),
                       visibility=Visibility.MEMBERS, summary="")  # fmt: skip
    indexing.catch_up()
    seen: list[set[str]] = []
    original = ranking.feedback_query

    def spy(searcher, query, top, group):
        seen.append({stored["slug"] for _d, stored, _s in top})
        return original(searcher, query, top, group)

    monkeypatch.setattr(ranking, "feedback_query", spy)
    search(SearchRequest(LONG_QUESTION, per_page=10), viewer=None)
    assert seen and "secret" not in seen[0]
