"""Guidebook curation by the Secretariat: create, nest, reorder, publish versions, history, diff,
restore."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.documents.models import Document, Status
from hub.extensions import db
from tests import factories
from tests.web import login, post


@pytest.fixture
def editor_client(app, client):
    login(client, factories.user(role=Role.EDITOR, country_code=None))
    return client


def _create(client, title, body, *, parent="", position=0):
    response = post(client, "/workspace/new/guidebook", {
        "title": title, "body": body, "language": "en", "visibility": "public",
        "parent": parent, "position": str(position), "save": "1"})  # fmt: skip
    assert response.status_code == 302, response.data[:500]
    db.session.expire_all()
    return db.session.scalar(select(Document).where(Document.title == title))


def _step(client, doc, name, comment=""):
    page = f"/workspace/documents/{doc.id}"
    # "confirm": the tick publishing needs; the other steps ignore it.
    return post(client, f"{page}/steps/{name}", {"comment": comment, "confirm": "y"}, form_url=page)


def _edit(client, doc, **changes):
    db.session.refresh(doc)
    url = f"/workspace/documents/{doc.id}/edit"
    html = client.get(url).data.decode()
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    data = {"title": doc.title, "body": doc.body, "language": "en", "visibility": "public",
            "parent": doc.parent.slug if doc.parent else "", "position": str(doc.position),
            "version": version, "save": "1"}  # fmt: skip
    data.update(changes)
    return post(client, url, data)


def test_editor_publishes_a_new_section_straight_from_draft(editor_client):
    doc = _create(editor_client, "Foresight methods", "Scenario work.")
    _step(editor_client, doc, "publish")
    db.session.expire_all()
    assert db.session.get(Document, doc.id).status is Status.PUBLISHED
    assert editor_client.get(f"/guidebook/{doc.slug}").status_code == 200


def test_sections_nest_and_reorder(editor_client, app):
    part = _create(editor_client, "Part A", "Intro.", position=1)
    second = _create(editor_client, "Second step", "Two.", parent=part.slug, position=2)
    first = _create(editor_client, "First step", "One.", parent=part.slug, position=1)
    for doc in (part, second, first):
        _step(editor_client, doc, "publish")
    tree = app.test_client().get("/guidebook/").data.decode()
    assert tree.index("First step") < tree.index("Second step")
    _edit(editor_client, db.session.get(Document, first.id), position="3")
    tree = app.test_client().get("/guidebook/").data.decode()
    assert tree.index("Second step") < tree.index("First step")


def test_section_cannot_be_nested_inside_itself(editor_client):
    doc = _create(editor_client, "Loop", "Text.")
    response = _edit(editor_client, doc, parent=doc.slug)
    assert response.status_code == 400  # its own slug is not even a choice
    db.session.expire_all()
    assert db.session.get(Document, doc.id).parent_id is None


def test_new_version_with_change_note_appears_in_public_history(editor_client, app):
    doc = _create(editor_client, "Financing", "Budgets come first.")
    _step(editor_client, doc, "publish")
    _edit(editor_client, db.session.get(Document, doc.id), body="Budgets and blended finance.",
          note="Added blended finance")  # fmt: skip
    html = app.test_client().get(f"/guidebook/{doc.slug}/history").data.decode()
    assert "Added blended finance" in html


def test_public_history_hides_revisions_made_while_a_draft(editor_client, app):
    doc = _create(editor_client, "Secret draft", "unreleased-wording-4471")
    _edit(editor_client, doc, body="more unreleased-wording-4471", note="draft edit note")
    _step(editor_client, db.session.get(Document, doc.id), "publish")
    public = app.test_client()
    history = public.get(f"/guidebook/{doc.slug}/history").data.decode()
    assert "draft edit note" not in history
    assert public.get(f"/guidebook/{doc.slug}/diff?from=1&to=2").status_code == 404


def test_diff_marks_removed_and_added_words_inline(editor_client, app):
    doc = _create(editor_client, "Monitoring", "Track indicators yearly.")
    _step(editor_client, doc, "publish")
    _edit(editor_client, db.session.get(Document, doc.id), body="Track indicators quarterly.")
    numbers = [r.number for r in db.session.get(Document, doc.id).revisions]
    html = (
        app.test_client()
        .get(f"/guidebook/{doc.slug}/diff?from={numbers[-2]}&to={numbers[-1]}")
        .data.decode()
    )
    assert "<del>yearly</del>" in html and "<ins>quarterly</ins>" in html


def test_diff_escapes_markup_in_the_text(editor_client, app):
    doc = _create(editor_client, "Escapes", "Plain.")
    _step(editor_client, doc, "publish")
    _edit(editor_client, db.session.get(Document, doc.id), body="<script>alert(1)</script>")
    numbers = [r.number for r in db.session.get(Document, doc.id).revisions]
    html = (
        app.test_client()
        .get(f"/guidebook/{doc.slug}/diff?from={numbers[-2]}&to={numbers[-1]}")
        .data.decode()
    )
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_same_revision_twice_asks_for_two_different_revisions(editor_client, app):
    doc = _create(editor_client, "Same", "Text.")
    _step(editor_client, doc, "publish")
    _edit(editor_client, db.session.get(Document, doc.id), body="More text.")
    response = app.test_client().get(f"/guidebook/{doc.slug}/diff?from=2&to=2")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose two different revisions" in html
    assert html.count('<option value="2" selected>') == 2  # the selection is kept


def test_a_revision_number_that_does_not_exist_is_not_found(editor_client, app):
    doc = _create(editor_client, "Missing", "Text.")
    _step(editor_client, doc, "publish")
    assert app.test_client().get(f"/guidebook/{doc.slug}/diff?from=2&to=9").status_code == 404


def test_restoring_an_old_revision_makes_a_new_revision_with_its_text(editor_client):
    doc = _create(editor_client, "Restore me", "First wording.")
    _step(editor_client, doc, "publish")
    _edit(editor_client, db.session.get(Document, doc.id), body="Second wording.")
    db.session.expire_all()
    doc = db.session.get(Document, doc.id)
    first_published = next(r for r in doc.revisions if r.snapshot["status"] == "published")
    count = len(doc.revisions)
    page = f"/workspace/documents/{doc.id}"
    post(editor_client, f"{page}/revisions/{first_published.number}/restore",
         {"version": str(doc.version)}, form_url=page)  # fmt: skip
    db.session.expire_all()
    doc = db.session.get(Document, doc.id)
    assert doc.body == "First wording."
    assert len(doc.revisions) == count + 1
    assert doc.revisions[-1].note == f"restored revision {first_published.number}"


def test_focal_point_cannot_create_a_guidebook_section(app, client):
    login(client, factories.user(role=Role.FOCAL_POINT, country_code="GHA"))
    assert client.get("/workspace/new/guidebook").status_code == 403
