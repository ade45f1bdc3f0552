"""The body's plain text is made when a document is saved, and never used once it is stale.

A rebuild reads the stored text instead of rendering Markdown (a quarter of its CPU time); these
tests pin down when the stored text may be trusted, against a real database and index.
"""

from __future__ import annotations

from sqlalchemy import select, update

from hub.documents import body_text as texts
from hub.documents.models import Document
from hub.extensions import db
from hub.markup import plain_text
from hub.search import indexing
from tests import factories

MARKDOWN = "# Roadmap\n\nA *first* paragraph with a [link](https://example.org).\n\n- one\n- two\n"


def stored(doc_id: int) -> tuple[str | None, str | None, int, object]:
    row = db.session.execute(
        select(Document.body_text, Document.body_text_key, Document.version, Document.updated_at)
        .where(Document.id == doc_id)
        .execution_options(populate_existing=True)
    ).one()
    return tuple(row)


def indexed_body(doc_id: int) -> str:
    with indexing.get_store().open().searcher() as searcher:
        return searcher.document(id=str(doc_id))["body"]


def test_saving_a_document_stores_its_plain_text(app):
    doc = factories.document(body=MARKDOWN, summary="")
    text, key, _version, _updated = stored(doc.id)
    assert text == plain_text(MARKDOWN) == "Roadmap. A first paragraph with a link. one. two"
    assert key == texts.key_for(MARKDOWN)


def test_editing_the_body_replaces_the_text_and_other_edits_keep_it(app):
    doc = factories.document(body=MARKDOWN)
    doc.body = "A **new** body."
    db.session.commit()
    assert stored(doc.id)[:2] == ("A new body.", texts.key_for("A **new** body."))
    doc.title = "Only the title changes"
    db.session.commit()
    assert stored(doc.id)[:2] == ("A new body.", texts.key_for("A **new** body."))


def test_text_stored_for_another_body_is_not_used(app):
    """A bulk UPDATE bypasses the ORM: the stored text no longer matches the body."""
    doc = factories.document(body=MARKDOWN)
    db.session.execute(update(Document).where(Document.id == doc.id).values(body="*Changed* body"))
    db.session.commit()
    db.session.refresh(doc)
    assert doc.body_text == plain_text(MARKDOWN)  # stale, still there
    assert texts.body_text(doc) == "Changed body"


def test_a_renderer_change_makes_every_stored_text_stale(app, monkeypatch):
    doc = factories.document(body=MARKDOWN)
    db.session.execute(
        update(Document).where(Document.id == doc.id).values(body_text="made by an old renderer")
    )
    db.session.commit()
    db.session.refresh(doc)
    assert texts.body_text(doc) == "made by an old renderer"  # the key still matches
    monkeypatch.setattr(texts, "RENDERER", texts.RENDERER + "|next")
    assert texts.body_text(doc) == plain_text(MARKDOWN)


def test_rebuild_indexes_rendered_text_and_stores_it_without_a_new_version(app, monkeypatch):
    """Documents saved before texts were stored (here: texts wiped by a bulk UPDATE) are
    rendered by the rebuild, which writes the texts back in batches, leaving the version (an
    editor's open form stays valid) and ``updated_at`` alone."""
    monkeypatch.setattr(indexing, "STORE_RENDERED_EVERY", 2)
    docs = [factories.document(body=f"Body *number* {n}.") for n in range(5)]
    fresh = factories.document(body="Stored **already**.")
    db.session.execute(
        update(Document)
        .where(Document.id.in_([d.id for d in docs]))
        .values(body_text=None, body_text_key=None)
    )
    db.session.execute(
        update(Document).where(Document.id == fresh.id).values(body_text="Stored already.")
    )
    db.session.commit()
    before = {d.id: stored(d.id) for d in [*docs, fresh]}

    rendered: list[texts.Rendered] = []
    monkeypatch.setattr(
        indexing,
        "store_rendered",
        lambda conn, batch: (rendered.extend(batch), texts.store_rendered(conn, batch)),
    )
    indexing.rebuild()

    assert sorted(r.doc_id for r in rendered) == sorted(d.id for d in docs)
    for n, doc in enumerate(docs):
        text, key, version, updated = stored(doc.id)
        assert text == f"Body number {n}."
        assert key == texts.key_for(doc.body)
        assert (version, updated) == before[doc.id][2:]
        assert f"Body number {n}." in indexed_body(doc.id)
    assert stored(fresh.id) == before[fresh.id]
    assert "Stored already." in indexed_body(fresh.id)


def test_a_late_write_back_for_an_older_body_is_never_used(app):
    """A rebuild may store text for a body an editor has just replaced; its key names the old
    body, so the new body is rendered instead."""
    doc = factories.document(body="Old body.")
    old = texts.Rendered(doc.id, "Old body.", texts.key_for("Old body."))
    doc.body = "New body."
    db.session.commit()
    with db.engine.begin() as connection:
        texts.store_rendered(connection, [old])
    db.session.refresh(doc)
    assert doc.body_text == "Old body."
    assert texts.body_text(doc) == "New body."
