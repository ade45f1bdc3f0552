"""Phrases checked from positions (the engine's phrases.py) match exactly the documents
Whoosh's Phrase does."""

from __future__ import annotations

import random
import re

import pytest
from whoosh.query import Phrase

from hub.extensions import db
from hub.search import indexing
from hub.search.engine import MaskSet, match_mask, phrases, term_masks
from hub.search.facets import table_for
from hub.search.query import SearchRequest, live_searcher, search
from tests import factories

WORDS = (  # noqa: SIM905 - one readable line of words
    "energy solar wind policy innovation research data grid water farm the of and budget"
).split()


@pytest.fixture
def corpus(app):
    """Documents of a few words each (so phrases of them recur), in several segments, with a
    document changed and one deleted after indexing (their old entries stay, marked deleted)."""
    rng = random.Random(7)
    docs = []
    for batch in range(3):  # one catch-up per batch: three segments
        for n in range(150):
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 200)))
            title = " ".join(rng.sample(WORDS, 3))
            docs.append(
                factories.document(slug=f"doc-{batch}-{n}", title=title, body=body, summary="")
            )
        indexing.catch_up()
    docs[3].body = "data data data grid"
    db.session.delete(docs[4])
    db.session.commit()
    indexing.catch_up()
    return app


def whoosh_mask(node: Phrase, searcher, table) -> int:
    return sum(1 << d for d in searcher.docs_for_query(node)) & table.live


def phrases_to_try(rng: random.Random) -> list[list[str]]:
    tried = [[w, w] for w in ("data", "grid")] + [["data", "data", "data"], ["unknown", "grid"]]
    for _ in range(120):
        size = rng.choice((2, 2, 3, 4))
        tried.append([rng.choice(WORDS) for _ in range(size)])
    return tried


def test_phrase_mask_matches_exactly_what_whoosh_finds(corpus):
    rng = random.Random(3)
    checked = matched = 0
    with live_searcher() as searcher:
        table = table_for(searcher)
        assert len(list(searcher.reader().leaf_readers())) >= 3
        assert searcher.reader().has_deletions()
        for words in phrases_to_try(rng):
            for fieldname in ("body_en", "title_en"):
                # The words as the analyzer makes them (stop words dropped), as the parser does.
                terms = [t for t in (phrases_term(w) for w in words) if t]
                if len(terms) < 2:
                    continue
                node = Phrase(fieldname, terms)
                assert phrases.handles(node, searcher)
                expected = whoosh_mask(node, searcher, table)
                ours = phrases.phrase_mask(
                    node, searcher, term_masks(searcher, table.size).get, table.live, table.size
                )
                assert ours == expected, (fieldname, terms)
                assert match_mask(node, searcher, table.live, table.size) == expected
                checked += 1
                matched += ours != 0
    assert checked > 150
    assert 30 < matched < checked  # both outcomes are exercised


def phrases_term(word: str) -> str | None:
    from hub.search.analysis import analyzer_for

    return analyzer_for("en").term(word)


def test_phrase_needs_consecutive_positions_in_order(app):
    """Spot checks: hand-made documents, found or not as a reader would expect."""
    bodies = {
        "in-order": "geothermal turbines",
        "in-order-across-a-stop-word": "Geothermal. Turbines of the hills.",
        "reversed": "turbines geothermal",
        "apart": "geothermal wind turbines",
        "only-one": "geothermal geothermal",
    }
    for slug, body in bodies.items():
        factories.document(slug=slug, title="Notes", body=body, summary="")
    indexing.catch_up()
    hits = search(SearchRequest('"geothermal turbines"'), viewer=None).hits
    assert {h.slug for h in hits} == {"in-order", "in-order-across-a-stop-word"}


def test_other_slops_are_left_to_whoosh(corpus):
    with live_searcher() as searcher:
        assert not phrases.handles(Phrase("body_en", ["solar", "grid"], slop=3), searcher)
        assert not phrases.handles(Phrase("body_en", ["solar"]), searcher)
        assert not phrases.handles(Phrase("nonexistent", ["solar", "grid"]), searcher)


def test_changed_document_is_matched_by_its_new_text_only(corpus):
    with live_searcher() as searcher:
        table = table_for(searcher)
        node = Phrase("body_en", ["data", "data", "data"])
        docs = list(MaskSet(match_mask(node, searcher, table.live, table.size), table.size))
        slugs = {searcher.stored_fields(d)["slug"] for d in docs}
    assert "doc-0-3" in slugs
    assert all(re.fullmatch(r"doc-\d-\d+", s) for s in slugs)


def test_search_checks_phrases_without_whooshs_span_matcher(corpus, monkeypatch):
    """The wiring: a phrase in a search is checked here, never by Whoosh's docs_for_query."""
    from whoosh.searching import Searcher

    def refuse(self, q, for_deletion=False):
        raise AssertionError(f"Whoosh was asked for {q!r}")

    monkeypatch.setattr(Searcher, "docs_for_query", refuse)
    results = search(SearchRequest('"solar grid" OR "data data"'), viewer=None)
    assert results.total > 0
