"""Loading content again never undoes work done in the Hub.

``make run`` loads content/ every time. A file that did not change since its last load changes
nothing; a changed file is applied only to a document nobody changed in the Hub since, and is
otherwise reported as a conflict (``force`` lets the file win, keeping the Hub's version in the
history). Documents loaded before the loader kept track are judged by their latest revision.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from hub.accounts.models import Role, User
from hub.content.loader import load_paths
from hub.documents import corrections, editing, workflow
from hub.documents.models import Document, Status
from hub.extensions import db
from hub.guidebook import curation
from tests import factories
from tests.factories import content_file


def brief(folder: Path, slug: str, title: str | None = None, body: str = "Body text.\n") -> Path:
    front = f"kind: policy_brief\ntitle: {title or f'Brief {slug}'}\ncountry: GHA"
    return content_file(folder, f"{slug}.md", front, body)


def section(folder: Path, slug: str, order: int, body: str = "Section text.\n") -> Path:
    front = f"kind: guidebook_section\ntitle: Section {slug}\norder: {order}"
    return content_file(folder, f"{slug}.md", front, body)


def doc(slug: str) -> Document:
    db.session.expire_all()
    return db.session.scalar(select(Document).where(Document.slug == slug))


@pytest.fixture
def editor(app) -> User:
    return factories.user(role=Role.EDITOR, country_code=None)


def hub_edit(document: Document, editor: User, **changes: object) -> None:
    """An editor's save in the workspace, changing only what ``changes`` names."""
    data = editing.DocumentInput(
        title=document.title, summary=document.summary, body=document.body,
        language=document.language, country=document.country.iso3 if document.country else None,
        goals=[g.number for g in document.goals], targets=[t.code for t in document.targets],
        areas=document.areas, tags=[t.name for t in document.tags],
        visibility=document.visibility,
        parent_slug=document.parent.slug if document.parent else None,
        position=document.position,
    )  # fmt: skip
    for name, value in changes.items():
        setattr(data, name, value)
    assert editing.update(document, data, expected_version=document.version, by=editor)


def forget_tracking() -> None:
    """Documents as a load before migration 0013 left them: no fingerprint, no revision."""
    db.session.execute(update(Document).values(loaded_sha256=None, loaded_revision=None))
    db.session.commit()


# --- an unchanged file changes nothing ---


def test_unchanged_file_keeps_an_edit_made_in_the_hub(app, tmp_path, editor):
    brief(tmp_path, "alpha", title="Title from the file")
    load_paths([tmp_path])
    hub_edit(doc("alpha"), editor, title="Title an editor improved")

    report = load_paths([tmp_path])

    assert (report.unchanged, report.conflicts) == (["alpha"], [])
    assert doc("alpha").title == "Title an editor improved"
    assert [r.note for r in doc("alpha").revisions] == ["loaded from alpha.md", "edited"]


def test_unchanged_files_keep_a_section_moved_in_the_guidebook_view(app, tmp_path, editor):
    for order, slug in enumerate(("first", "second", "third"), start=1):
        section(tmp_path, slug, order)
    load_paths([tmp_path])
    curation.move(doc("third"), -1, expected_tree=curation.tree_version(), by=editor)

    report = load_paths([tmp_path])

    assert sorted(report.unchanged) == ["first", "second", "third"]
    assert [doc(s).position for s in ("first", "third", "second")] == [1, 2, 3]


def test_unchanged_file_keeps_a_section_moved_under_another(app, tmp_path, editor):
    section(tmp_path, "top", 1)
    section(tmp_path, "moved", 2)
    load_paths([tmp_path])
    curation.move_under(doc("moved"), "top", expected_tree=curation.tree_version(), by=editor)

    report = load_paths([tmp_path])

    assert (sorted(report.unchanged), report.conflicts) == (["moved", "top"], [])
    assert doc("moved").parent.slug == "top"


def test_unchanged_file_keeps_an_archive(app, tmp_path, editor):
    brief(tmp_path, "old")
    load_paths([tmp_path])
    workflow.apply(doc("old"), "archive", by=editor)

    report = load_paths([tmp_path])

    assert (report.unchanged, report.conflicts) == (["old"], [])
    assert doc("old").status is Status.ARCHIVED


def test_unchanged_file_keeps_a_published_correction(app, tmp_path, editor):
    brief(tmp_path, "alpha", body="Text with a mistake.\n")
    load_paths([tmp_path])
    focal_point = factories.user(role=Role.FOCAL_POINT, country_code="GHA")
    correction = corrections.start(doc("alpha"), by=focal_point)
    hub_edit(correction, focal_point, body="Text corrected by the country.\n")
    workflow.apply(correction, "submit", by=focal_point)
    workflow.apply(correction, "publish", by=editor)

    report = load_paths([tmp_path])

    assert (report.unchanged, report.conflicts) == (["alpha"], [])
    assert doc("alpha").body == "Text corrected by the country.\n"


# --- a changed file ---


def test_changed_file_for_a_document_untouched_in_the_hub_is_applied(app, tmp_path, editor):
    brief(tmp_path, "alpha", title="First title")
    load_paths([tmp_path])
    brief(tmp_path, "alpha", title="Second title")

    report = load_paths([tmp_path])

    assert (report.updated, report.conflicts) == (["alpha"], [])
    assert doc("alpha").title == "Second title"
    assert doc("alpha").revisions[-1].note == "loaded from alpha.md"


def test_changed_file_after_an_edit_in_the_hub_is_a_conflict_and_keeps_the_edit(
    app, tmp_path, editor
):
    brief(tmp_path, "alpha", body="Text from the file.\n")
    load_paths([tmp_path])
    hub_edit(doc("alpha"), editor, title="Title an editor improved")
    brief(tmp_path, "alpha", body="Text changed in the repository.\n")

    report = load_paths([tmp_path])

    [conflict] = report.conflicts
    assert (conflict.slug, conflict.path, conflict.revision) == (
        "alpha", str(tmp_path / "alpha.md"), 2
    )  # fmt: skip
    assert "changed in the Hub since it was last loaded as revision 1" in conflict.reason
    assert (report.updated, report.unchanged, report.ok) == ([], [], True)
    assert doc("alpha").title == "Title an editor improved"
    assert doc("alpha").body == "Text from the file.\n"
    assert len(doc("alpha").revisions) == 2


def test_conflict_is_reported_again_on_the_next_load(app, tmp_path, editor):
    brief(tmp_path, "alpha")
    load_paths([tmp_path])
    hub_edit(doc("alpha"), editor, title="Edited")
    brief(tmp_path, "alpha", body="Changed.\n")
    load_paths([tmp_path])

    report = load_paths([tmp_path])

    assert [c.slug for c in report.conflicts] == ["alpha"]


def test_changed_file_after_a_move_in_the_guidebook_is_a_conflict(app, tmp_path, editor):
    section(tmp_path, "first", 1)
    section(tmp_path, "second", 2)
    load_paths([tmp_path])
    curation.move(doc("second"), -1, expected_tree=curation.tree_version(), by=editor)
    section(tmp_path, "second", 2, body="New text in the file.\n")

    report = load_paths([tmp_path])

    assert [c.slug for c in report.conflicts] == ["second"]
    assert doc("second").position == 1


def test_force_lets_the_file_win_and_keeps_the_hub_version_in_the_history(app, tmp_path, editor):
    brief(tmp_path, "alpha")
    load_paths([tmp_path])
    hub_edit(doc("alpha"), editor, title="Title an editor improved")
    brief(tmp_path, "alpha", title="Title from the file, revised")

    report = load_paths([tmp_path], force=True)

    assert (report.updated, report.conflicts) == (["alpha"], [])
    assert [(f.slug, f.revision) for f in report.forced] == [("alpha", 2)]
    revisions = doc("alpha").revisions
    assert doc("alpha").title == "Title from the file, revised"
    assert [r.note for r in revisions] == ["loaded from alpha.md", "edited", "loaded from alpha.md"]
    assert revisions[1].snapshot["title"] == "Title an editor improved"


def test_force_leaves_an_unchanged_file_alone(app, tmp_path, editor):
    brief(tmp_path, "alpha")
    load_paths([tmp_path])
    hub_edit(doc("alpha"), editor, title="Edited")

    report = load_paths([tmp_path], force=True)

    assert (report.unchanged, doc("alpha").title) == (["alpha"], "Edited")


def test_file_brought_in_line_with_the_hub_resolves_the_conflict(app, tmp_path, editor):
    brief(tmp_path, "alpha")
    load_paths([tmp_path])
    hub_edit(doc("alpha"), editor, title="Agreed title")
    brief(tmp_path, "alpha", title="Agreed title")
    assert load_paths([tmp_path]).unchanged == ["alpha"]
    brief(tmp_path, "alpha", title="Agreed title", body="Later change in the file.\n")

    report = load_paths([tmp_path])

    assert (report.updated, doc("alpha").body) == (["alpha"], "Later change in the file.\n")


def test_recording_what_was_loaded_keeps_an_editors_open_form_valid(app, tmp_path):
    brief(tmp_path, "alpha", title="Same title")
    load_paths([tmp_path])
    forget_tracking()
    version = doc("alpha").version

    load_paths([tmp_path])

    assert (doc("alpha").version, doc("alpha").loaded_revision) == (version, 1)


def test_changed_file_while_a_correction_is_being_prepared_is_a_conflict(app, tmp_path):
    brief(tmp_path, "alpha")
    load_paths([tmp_path])
    corrections.start(doc("alpha"), by=factories.user(role=Role.FOCAL_POINT, country_code="GHA"))
    brief(tmp_path, "alpha", body="Changed in the repository.\n")

    report = load_paths([tmp_path])

    assert "a correction of it is being prepared" in report.conflicts[0].reason
    assert doc("alpha").body == "Body text.\n"


def test_file_for_a_slug_made_in_the_hub_does_not_overwrite_it(app, tmp_path):
    factories.document(slug="hub-made", title="Written in the Hub")
    brief(tmp_path, "hub-made", title="Written in a file")

    report = load_paths([tmp_path])

    assert "it was made in the Hub, not loaded from a file" in report.conflicts[0].reason
    assert doc("hub-made").title == "Written in the Hub"


# --- documents loaded before the loader kept track ---


def test_old_row_that_matches_its_file_is_unchanged_and_tracked_from_then_on(app, tmp_path):
    brief(tmp_path, "alpha")
    load_paths([tmp_path])
    forget_tracking()

    report = load_paths([tmp_path])

    assert report.unchanged == ["alpha"]
    assert len(doc("alpha").revisions) == 1
    assert (doc("alpha").loaded_sha256 is not None, doc("alpha").loaded_revision) == (True, 1)


def test_old_row_last_changed_by_a_load_takes_the_changed_file(app, tmp_path):
    brief(tmp_path, "alpha", title="First title")
    load_paths([tmp_path])
    forget_tracking()
    brief(tmp_path, "alpha", title="Second title")

    report = load_paths([tmp_path])

    assert (report.updated, doc("alpha").title) == (["alpha"], "Second title")
    assert doc("alpha").loaded_revision == 2


def test_old_row_changed_in_the_hub_after_its_load_is_a_conflict(app, tmp_path, editor):
    brief(tmp_path, "alpha")
    load_paths([tmp_path])
    hub_edit(doc("alpha"), editor, title="Edited in the Hub")
    forget_tracking()
    brief(tmp_path, "alpha", body="Changed in the repository.\n")

    report = load_paths([tmp_path])

    assert "changed in the Hub after it was last loaded (revision 2" in report.conflicts[0].reason
    assert doc("alpha").title == "Edited in the Hub"


def test_old_row_changed_in_the_hub_keeps_the_edit_when_its_file_is_unchanged(
    app, tmp_path, editor
):
    brief(tmp_path, "alpha")
    load_paths([tmp_path])
    hub_edit(doc("alpha"), editor, title="Edited in the Hub")
    forget_tracking()

    report = load_paths([tmp_path])

    assert (report.unchanged, report.conflicts) == (["alpha"], [])
    assert doc("alpha").title == "Edited in the Hub"
    assert doc("alpha").loaded_revision == 1


def test_old_row_tracked_from_its_last_load_then_conflicts_when_the_file_changes(
    app, tmp_path, editor
):
    brief(tmp_path, "alpha")
    load_paths([tmp_path])
    hub_edit(doc("alpha"), editor, title="Edited in the Hub")
    forget_tracking()
    load_paths([tmp_path])
    brief(tmp_path, "alpha", body="Changed in the repository.\n")

    report = load_paths([tmp_path])

    assert "since it was last loaded as revision 1" in report.conflicts[0].reason
    assert doc("alpha").title == "Edited in the Hub"
