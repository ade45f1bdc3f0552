""" "Did you mean" depends only on what the reader may see.

A word is taken for a misspelling, and corrected, by the documents the reader may read alone:
for a word that occurs only in a document hidden from them (members-only, not published, another
country's work in progress, withdrawn), a reader gets exactly what they get for a word in no
document at all. Otherwise the presence or absence of a suggestion would tell an anonymous reader
that members-only text contains the word.

Each test asks first in a Hub without the hidden document (the baseline), then adds it and asks
again: the answer must not change.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hub.accounts.models import Role
from hub.documents.models import Status, Visibility
from hub.extensions import db
from hub.search import indexing
from hub.search.query import SearchRequest, search
from tests import factories

WORD = "plans"  # one letter from "plants", a word of a public title
HIDDEN_TITLE = "Regional plans"
HIDDEN_BODY = "Plans for water in every region."


def run(q: str, viewer: object = None):
    return search(SearchRequest(q), viewer=viewer)


@pytest.fixture
def public(app):
    factories.document(title="Desalination plants", body="Desalination of sea water.")
    factories.document(title="Main roads", body="Roads between towns.")
    indexing.catch_up()
    return app


def _members_only() -> None:
    factories.document(title=HIDDEN_TITLE, body=HIDDEN_BODY, visibility=Visibility.MEMBERS)


def _draft() -> None:
    factories.document(title=HIDDEN_TITLE, body=HIDDEN_BODY, status=Status.DRAFT)


def _other_countrys_work_in_progress() -> None:
    factories.document(
        title=HIDDEN_TITLE, body=HIDDEN_BODY, status=Status.SUBMITTED, country_code="SRB"
    )


def _withdrawn() -> None:
    doc = factories.document(title=HIDDEN_TITLE, body=HIDDEN_BODY)
    indexing.catch_up()
    doc.status = Status.ARCHIVED
    db.session.commit()


HIDDEN: dict[str, tuple[Callable[[], None], Callable[[], object]]] = {
    "members-only, to the public": (_members_only, lambda: None),
    "a draft, to the public": (_draft, lambda: None),
    "another country's submitted brief, to a focal point": (
        _other_countrys_work_in_progress,
        lambda: factories.user(role=Role.FOCAL_POINT, country_code="GHA"),
    ),
    "withdrawn after publication, to a member": (_withdrawn, lambda: factories.user()),
}


@pytest.mark.parametrize("case", HIDDEN)
def test_a_word_only_in_a_hidden_document_is_treated_as_a_word_in_no_document(public, case):
    add_hidden, reader = HIDDEN[case]
    viewer = reader()
    baseline = run(WORD, viewer)

    add_hidden()
    indexing.catch_up()
    after = run(WORD, viewer)

    assert baseline.suggestion == "plants"  # a word in no document is corrected ...
    assert (after.total, after.suggestion) == (baseline.total, baseline.suggestion)  # ... still


def test_a_member_who_may_read_the_word_gets_no_suggestion_for_it(public):
    _members_only()
    indexing.catch_up()

    results = run(WORD, factories.user())

    assert results.total == 1
    assert results.suggestion is None


def test_a_word_common_only_in_a_hidden_language_is_still_corrected_for_the_public(public):
    """ "mais" is a French stop word; French text that only members may read must not make it
    a known word (and so uncorrected) for the public."""
    baseline = run("mais")
    factories.document(
        title="Les plans régionaux",
        body="Des plans, mais aussi des routes.",
        language="fr",
        visibility=Visibility.MEMBERS,
    )
    indexing.catch_up()

    after = run("mais")

    assert baseline.suggestion == "main"
    assert after.suggestion == baseline.suggestion


def test_a_word_hidden_from_the_public_is_corrected_with_the_words_they_may_read(public):
    """Hidden words as close to the query as the visible one are never offered instead."""
    baseline = run("plamts")
    factories.document(
        title="Plats plans plays plaits",
        body="Planets plains plates plaints plantas.",
        visibility=Visibility.MEMBERS,
    )
    indexing.catch_up()

    assert run("plamts").suggestion == baseline.suggestion == "plants"


def test_which_words_are_common_does_not_depend_on_a_hidden_document_in_another_language(public):
    """ "the" is common in English; in a Hub whose readable text is all English, the public is
    told their query has only common words, whether or not a members-only Spanish brief (whose
    analysis would read "the" as a word) exists."""
    baseline = run("the")
    factories.document(
        title="Hoja de ruta", body="Agua para cada región.", language="es",
        visibility=Visibility.MEMBERS,
    )  # fmt: skip
    indexing.catch_up()

    after = run("the")

    assert baseline.only_common_words is True
    assert (after.only_common_words, after.total) == (baseline.only_common_words, baseline.total)
