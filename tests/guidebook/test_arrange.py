"""Arranging the guidebook through the curation service: order, nesting, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.accounts.models import Role
from hub.documents.models import Document, Kind, Status
from hub.errors import Conflict, Invalid, NotAllowed, NotFound
from hub.extensions import db
from hub.guidebook import curation
from hub.search.models import IndexChange
from tests import factories


def _section(title: str, position: int, parent: Document | None = None, **kw) -> Document:
    return factories.document(kind=Kind.GUIDEBOOK_SECTION, title=title, position=position,
                              parent=parent, **kw)  # fmt: skip


@pytest.fixture
def editor(app):
    return factories.user(role=Role.EDITOR, country_code=None)


@pytest.fixture
def three(app):
    """Sections A, B, C at the top level; A1 under A."""
    a, b, c = _section("A", 1), _section("B", 2), _section("C", 3)
    a1 = _section("A1", 1, parent=a)
    return a, b, c, a1


def _order(parent: Document | None = None) -> list[str]:
    db.session.expire_all()
    under = Document.parent_id == parent.id if parent else Document.parent_id.is_(None)
    stmt = select(Document).where(Document.kind == Kind.GUIDEBOOK_SECTION, under)
    return [d.title for d in sorted(db.session.scalars(stmt), key=lambda d: d.position)]


def test_moving_up_swaps_with_the_previous_sibling_and_renumbers(three, editor):
    a, b, c, _a1 = three
    curation.move(c, -1, expected_tree=curation.tree_version(), by=editor)
    assert _order() == ["A", "C", "B"]
    assert [d.position for d in (a, c, b)] == [1, 2, 3]


def test_moving_down_records_a_revision_with_a_readable_note(three, editor):
    a, b, _c, _a1 = three
    curation.move(a, 1, expected_tree=curation.tree_version(), by=editor)
    assert _order() == ["B", "A", "C"]
    assert a.revisions[-1].note == "moved down" and a.revisions[-1].author_id == editor.id
    assert b.revisions[-1].note == "reordered"


def test_a_move_writes_the_index_change_log(three, editor):
    a, _b, _c, _a1 = three
    before = db.session.scalar(select(func.max(IndexChange.id))) or 0
    curation.move(a, 1, expected_tree=curation.tree_version(), by=editor)
    logged = set(db.session.scalars(select(IndexChange.document_id).where(IndexChange.id > before)))
    assert a.id in logged


def test_the_first_section_cannot_move_up(three, editor):
    a, _b, _c, _a1 = three
    with pytest.raises(Invalid, match="already first"):
        curation.move(a, -1, expected_tree=curation.tree_version(), by=editor)


def test_moving_under_another_section_puts_it_last_there(three, editor):
    a, b, _c, a1 = three
    curation.move_under(b, a.slug, expected_tree=curation.tree_version(), by=editor)
    assert _order(a) == ["A1", "B"] and _order() == ["A", "C"]
    assert b.revisions[-1].note == f"moved under {a.slug}"


def test_moving_to_the_top_level_puts_it_last_there(three, editor):
    _a, _b, _c, a1 = three
    curation.move_under(a1, None, expected_tree=curation.tree_version(), by=editor)
    assert _order() == ["A", "B", "C", "A1"]


def test_a_section_cannot_go_under_its_own_descendant(three, editor):
    a, _b, _c, a1 = three
    with pytest.raises(Invalid, match="that section is inside it"):
        curation.move_under(a, a1.slug, expected_tree=curation.tree_version(), by=editor)
    db.session.rollback()
    assert db.session.get(Document, a.id).parent_id is None


def test_a_section_cannot_go_under_itself(three, editor):
    a, _b, _c, _a1 = three
    with pytest.raises(Invalid, match="inside itself"):
        curation.move_under(a, a.slug, expected_tree=curation.tree_version(), by=editor)


def test_focal_points_may_not_arrange_the_guidebook(three):
    _a, b, _c, _a1 = three
    focal = factories.user(role=Role.FOCAL_POINT, country_code="GHA")
    with pytest.raises(NotAllowed):
        curation.move(b, -1, expected_tree=curation.tree_version(), by=focal)
    assert _order() == ["A", "B", "C"]


def test_focal_points_do_not_learn_of_draft_sections(app):
    draft = _section("Hidden", 1, status=Status.DRAFT)
    focal = factories.user(role=Role.FOCAL_POINT, country_code="GHA")
    with pytest.raises(NotFound):
        curation.move(draft, 1, expected_tree=curation.tree_version(), by=focal)


def test_a_stale_form_is_refused_and_moves_nothing(three, editor):
    a, b, c, _a1 = three
    seen = curation.tree_version()
    curation.move(c, -1, expected_tree=seen, by=editor)  # someone else, first
    with pytest.raises(Conflict, match="rearranged the guidebook"):
        curation.move(b, -1, expected_tree=seen, by=editor)
    db.session.rollback()
    assert _order() == ["A", "C", "B"]


def test_the_tree_lists_drafts_and_archived_sections_in_reading_order(three, editor):
    _section("Draft D", 4, status=Status.DRAFT)
    _section("Old E", 5, status=Status.ARCHIVED)
    rows, _version = curation.curation_tree(by=editor)
    assert [(r.doc.title, r.depth) for r in rows] == [
        ("A", 0), ("A1", 1), ("B", 0), ("C", 0), ("Draft D", 0), ("Old E", 0)]  # fmt: skip
    a_row = rows[0]
    assert a_row.revision == 1 and a_row.is_first and not a_row.is_last
    assert "A1" not in [t.title for t in a_row.move_targets]  # not under its own child
