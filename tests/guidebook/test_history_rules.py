"""How a history reads: notes readers may see, what kind of change each revision was, and where
Restore is offered."""

from __future__ import annotations

from hub.accounts.models import Role
from hub.documents import revisions
from hub.documents.models import Kind, Status
from hub.extensions import db
from hub.guidebook import history
from tests import factories


def test_readers_see_a_neutral_phrase_for_the_loaders_note(app):
    assert revisions.note_for("loaded from guidebook/intro.md", is_staff=False) == "Updated"


def test_staff_see_which_file_the_loader_read(app):
    note = revisions.note_for("loaded from guidebook/intro.md", is_staff=True)
    assert "guidebook/intro.md" in note


def test_notes_people_typed_are_shown_as_typed(app):
    assert revisions.note_for("Added blended finance", is_staff=False) == "Added blended finance"


def test_workflow_step_ids_never_appear_as_notes(app):
    for step in ("submit", "request_changes", "publish", "archive"):
        assert revisions.note_for(step, is_staff=True) == ""


def test_hub_notes_become_sentences(app):
    assert revisions.note_for("restored revision 3", is_staff=False) == "Restored revision 3"
    assert revisions.note_for("moved up", is_staff=False) == "Moved up in the guidebook"


def test_change_kind_tells_text_details_and_status_apart():
    base = {"title": "A", "body": "x", "tags": [], "status": "draft", "published_on": None}
    assert revisions.change_kind(None, base) == "created"
    assert revisions.change_kind(base, {**base, "body": "y"}) == "text"
    assert revisions.change_kind(base, {**base, "tags": ["t"]}) == "metadata"
    published = {**base, "status": "published", "published_on": "2025-01-01"}
    assert revisions.change_kind(base, published) == "status"


def _section_with_steps():
    """Revision 1 created (draft), 2 text edit, 3 published (status only)."""
    doc = factories.document(kind=Kind.GUIDEBOOK_SECTION, status=Status.DRAFT, body="First.")
    doc.body = "Second."
    revisions.record(doc, note="edited")
    doc.status = Status.PUBLISHED
    revisions.record(doc, note="publish")
    db.session.commit()
    return doc


def test_restore_is_offered_only_where_content_differs_from_the_current(app):
    doc = _section_with_steps()
    editor = factories.user(role=Role.EDITOR, country_code=None)
    offered = {e.number: e.can_restore for e in history.entries(doc, editor)}
    # 1 had other text; 2 is the current text; 3 changed only the status and is current.
    assert offered == {1: True, 2: False, 3: False}


def test_readers_are_never_offered_restore_and_see_only_published_revisions(app):
    doc = _section_with_steps()
    entries = history.entries(doc, None)
    assert [e.number for e in entries] == [3]
    assert not entries[0].can_restore and entries[0].author is None


def test_a_step_revision_is_labelled_by_its_status_with_the_reviewers_comment(app):
    brief = factories.document(status=Status.SUBMITTED)
    editor = factories.user(role=Role.EDITOR, country_code=None)
    from hub.documents import workflow

    workflow.apply(brief, "request_changes", by=editor, comment="Add the 2024 baseline.")
    entry = history.entries(brief, editor)[0]
    assert (entry.kind, entry.step, entry.status) == ("status", "request_changes",
                                                      "changes_requested")  # fmt: skip
    assert entry.comment == "Add the 2024 baseline." and entry.author == editor.name
    assert entry.note == ""
