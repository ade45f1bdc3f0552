"""The engine's extensions against Whoosh's own answers, on a real index of several segments with
changed and deleted documents (docs/search.md: how a Whoosh upgrade is checked)."""

from __future__ import annotations

import importlib.metadata
import random
import time

import pytest
from whoosh.index import open_dir
from whoosh.query import And, AndNot, Every, Not, Or, Phrase, Term

from hub.extensions import db
from hub.search import engine, indexing
from hub.search.facets import MASK_FIELDS, table_for
from hub.search.query import live_searcher
from tests import factories

WORDS = ("energy", "solar", "wind", "policy", "grid", "water", "farm", "budget", "clinic", "export")


@pytest.fixture
def corpus(app):
    """Two segments of short documents across countries and goals; one document changed and
    one deleted after indexing, so their old entries stay in the index, marked deleted."""
    rng = random.Random(5)
    docs = []
    for batch in range(2):
        for n in range(60):
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
            docs.append(
                factories.document(
                    slug=f"doc-{batch}-{n}",
                    title=" ".join(rng.sample(WORDS, 2)),
                    body=body,
                    summary="",
                    country_code=rng.choice(("GHA", "KEN", "SRB")),
                    goals=[rng.choice((6, 7, 9))],
                )
            )
        indexing.catch_up()
    docs[1].body = "solar grid solar"
    db.session.delete(docs[2])
    db.session.commit()
    indexing.catch_up()
    return app


def whoosh_docs(searcher, query) -> set[int]:
    return set(searcher.docs_for_query(query))


def bits(mask: int, size: int) -> set[int]:
    return set(engine.MaskSet(mask, size))


def test_the_engine_runs_on_the_whoosh_release_it_was_checked_against():
    assert importlib.metadata.version("whoosh-reloaded") == engine.WHOOSH_VERSION


def test_the_live_bit_set_is_every_document_whoosh_has_not_deleted(corpus):
    with live_searcher() as searcher:
        table = table_for(searcher)
        assert searcher.reader().has_deletions()
        assert bits(table.live, table.size) == whoosh_docs(searcher, Every())


def test_value_bit_sets_hold_the_documents_whooshs_postings_hold(corpus):
    with live_searcher() as searcher:
        size, masks, live = engine.value_masks(searcher.reader(), MASK_FIELDS)
        checked = 0
        for name, values in masks.items():
            for value, mask in values.items():
                expected = whoosh_docs(searcher, Term(name, value))
                assert bits(mask & live, size) == expected, (name, value)
                checked += 1
        assert checked > 10


def reference(searcher, query, live: set[int]) -> set[int]:
    """The documents ``query`` matches, by set algebra over what Whoosh's own matchers find for
    each word and phrase. Not Whoosh's compound matchers: on an index of several segments with
    deletions, Whoosh's AndNot returned a document that holds both words (its ``b`` side skipped
    past it), so only its leaf matchers are the reference."""
    if isinstance(query, AndNot):
        return reference(searcher, query.a, live) - reference(searcher, query.b, live)
    if isinstance(query, Not):
        return live - reference(searcher, query.query, live)
    if isinstance(query, And):
        found = live
        for sub in query.subqueries:
            found = found & reference(searcher, sub, live)
        return found
    if isinstance(query, Or):
        return set().union(*(reference(searcher, sub, live) for sub in query.subqueries))
    return whoosh_docs(searcher, query)


def test_match_sets_are_what_whooshs_word_and_phrase_matchers_combine_to(corpus):
    rng = random.Random(9)
    with live_searcher() as searcher:
        table = table_for(searcher)
        live = bits(table.live, table.size)
        for _ in range(60):
            a, b, c = (Term("body_en", w) for w in rng.sample(WORDS, 3))
            for query in (
                a,
                Or([a, b]),
                And([a, b]),
                AndNot(a, b),
                And([a, Not(b)]),
                Or([And([a, b]), AndNot(c, a)]),
                Phrase("body_en", [a.text, b.text]),
                Term("body_en", "absent"),
            ):
                ours = engine.match_mask(query, searcher, table.live, table.size)
                assert bits(ours, table.size) == reference(searcher, query, live), query


def test_top_documents_within_a_filter_are_whooshs_filtered_results(corpus):
    rng = random.Random(4)
    with live_searcher() as searcher:
        table = table_for(searcher)
        allowed = table.live & table.any_of("country", ["GHA", "KEN"])
        allowed_set = bits(allowed, table.size)
        for _ in range(20):
            query = engine.safe_or(Or([Term("body_en", w) for w in rng.sample(WORDS, 2)]))
            ours, partial = engine.top_docs(
                searcher, query, allowed, table.size, 10, time.thread_time() + 60
            )
            theirs = searcher.search(query, filter=allowed_set, limit=10)
            assert not partial
            assert [d for d, _s in ours] == [hit.docnum for hit in theirs]
            assert [s for _d, s in ours] == pytest.approx([hit.score for hit in theirs])


def test_a_deadline_already_passed_stops_the_walk_and_says_so(corpus):
    with live_searcher() as searcher:
        table = table_for(searcher)
        query = engine.safe_or(Or([Term("body_en", w) for w in WORDS]))
        found, partial = engine.top_docs(searcher, query, table.live, table.size, 10, 0.0)
        matching = sorted(whoosh_docs(searcher, query))
        assert partial
        # The clock is read every CHECK_EVERY matches: only the first of them were ranked.
        assert max(d for d, _s in found) <= matching[engine.BudgetedFilter.CHECK_EVERY - 1]
        assert len(matching) > engine.BudgetedFilter.CHECK_EVERY


def test_the_mapped_storage_reads_what_whooshs_file_storage_reads(corpus):
    folder = engine.index_folder(indexing.get_store().open())
    ours, theirs = engine.open_index(folder), open_dir(folder)
    with ours.reader() as mapped, theirs.reader() as plain:
        assert list(mapped.all_stored_fields()) == list(plain.all_stored_fields())
        assert list(mapped.all_terms()) == list(plain.all_terms())
        for fieldname, btext in list(plain.all_terms())[::7]:
            a, b = mapped.postings(fieldname, btext), plain.postings(fieldname, btext)
            assert list(a.items_as("weight")) == list(b.items_as("weight"))


def test_schemas_pickled_before_the_engine_package_still_load():
    """Indexes keep their schema pickled, naming each class by the module it was defined in;
    ``SpanCharacters`` was first defined in hub.search.schema."""
    import pickle

    old_name = b"chub.search.schema\nSpanCharacters\n."  # a protocol 0 reference to the class
    assert pickle.loads(old_name) is engine.SpanCharacters  # noqa: S301 - our own bytes
