"""History and diff pages: what readers and staff see."""

from __future__ import annotations

import re

import pytest

from hub.accounts.models import Role
from hub.documents import revisions, workflow
from hub.documents.models import Kind, Status
from hub.extensions import db
from tests import factories
from tests.web import login


@pytest.fixture
def editor(app):
    return factories.user(role=Role.EDITOR, country_code=None)


@pytest.fixture
def editor_client(app, client, editor):
    login(client, editor)
    return client


def _loaded_section():
    """A published section loaded from a file twice: revisions 1 and 2, both by the loader."""
    doc = factories.document(kind=Kind.GUIDEBOOK_SECTION, body="Budgets come first.\n",
                             commit=False)  # fmt: skip
    doc.revisions[-1].note = "loaded from guidebook/financing.md"
    doc.body = "Budgets and blended\nfinance come first.\n"
    revisions.record(doc, note="loaded from guidebook/financing.md")
    db.session.commit()
    return doc


def test_readers_do_not_see_the_loaders_notes(app, client):
    doc = _loaded_section()
    html = client.get(f"/guidebook/{doc.slug}/history").get_data(as_text=True)
    assert "financing.md" not in html and "Updated" in html


def test_staff_see_the_loaders_notes_and_who_changed_what(editor_client, editor):
    doc = _loaded_section()
    doc.body = "New text."
    revisions.record(doc, by=editor, note="Tightened the wording")
    db.session.commit()
    html = editor_client.get(f"/guidebook/{doc.slug}/history").get_data(as_text=True)
    assert "guidebook/financing.md" in html and editor.name in html
    assert "Tightened the wording" in html and "Text changed" in html


def test_the_diff_is_one_column_of_reflowed_words(app, client):
    doc = _loaded_section()
    response = client.get(f"/guidebook/{doc.slug}/diff?from=1&to=2")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<table class="diff"' not in html and 'class="diff-unified"' in html
    assert "<ins>and blended finance</ins>" in html  # joined across the hard wrap
    assert '<span class="visually-hidden">added: </span><ins>' in html


def test_the_diff_page_without_numbers_shows_the_latest_change(app, client):
    doc = _loaded_section()
    html = client.get(f"/guidebook/{doc.slug}/diff").get_data(as_text=True)
    assert "Changes from revision 1 to revision 2" in html


def test_history_names_workflow_steps_in_words(app, editor_client, editor):
    brief = factories.document(status=Status.SUBMITTED)
    workflow.apply(brief, "request_changes", by=editor, comment="Add the 2024 baseline.")
    html = editor_client.get(f"/workspace/documents/{brief.id}").get_data(as_text=True)
    history = html[html.index('id="history"') :]
    assert "Changes requested" in history and "Add the 2024 baseline." in history
    assert "request_changes" not in history.replace("change-status", "")


def test_workspace_header_shows_the_revision_number_people_see_in_the_history(editor_client):
    doc = factories.document(status=Status.DRAFT)
    for n in range(3):
        doc.body = f"Text {n}"
        revisions.record(doc, note="edited")
    db.session.commit()
    html = editor_client.get(f"/workspace/documents/{doc.id}").get_data(as_text=True)
    assert "revision 4" in html and "version" not in html.split("<h1>")[0]


def test_restore_is_offered_only_on_revisions_with_other_content(editor_client, editor):
    doc = factories.document(status=Status.SUBMITTED, body="First wording.")  # revision 1
    doc.body = "Second wording."
    revisions.record(doc, by=editor, note="edited")  # 2
    db.session.commit()
    workflow.apply(doc, "publish", by=editor)  # 3: status only
    html = editor_client.get(f"/workspace/documents/{doc.id}").get_data(as_text=True)
    offered = set(re.findall(r"/revisions/(\d+)/restore", html))
    assert offered == {"1"}


def test_the_workspace_compares_two_revisions_of_a_draft(editor_client, editor):
    doc = factories.document(status=Status.DRAFT, body="Old words.")
    doc.body = "New words."
    doc.tags = []
    revisions.record(doc, by=editor, note="edited")
    db.session.commit()
    html = editor_client.get(f"/workspace/documents/{doc.id}/diff?from=1&to=2").get_data(
        as_text=True
    )
    assert "<del>Old</del>" in html and "<ins>New</ins>" in html


def test_the_workspace_comparison_of_a_revision_with_itself_is_not_an_error(editor_client):
    doc = factories.document(status=Status.DRAFT)
    doc.body = "Changed."
    revisions.record(doc, note="edited")
    db.session.commit()
    response = editor_client.get(f"/workspace/documents/{doc.id}/diff?from=1&to=1")
    assert response.status_code == 200
    assert "Choose two different revisions" in response.get_data(as_text=True)
    assert editor_client.get(f"/workspace/documents/{doc.id}/diff?from=1&to=7").status_code == 404


def test_metadata_changes_are_listed_in_words(editor_client, editor):
    from hub.documents import service

    doc = factories.document(status=Status.DRAFT, goals=[9])
    service.set_goals_and_targets(doc, [9, 17], [])
    revisions.record(doc, by=editor, note="edited")
    db.session.commit()
    html = editor_client.get(f"/workspace/documents/{doc.id}/diff").get_data(as_text=True)
    assert "SDGs" in html and "added SDG 17" in html
