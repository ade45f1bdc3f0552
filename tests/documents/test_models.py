"""Constraints the database itself enforces, so no code path can store an impossible document."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from hub.documents.models import Document, Kind, Revision, Status
from hub.extensions import db
from tests import factories


def _insert(**values):
    """Insert a raw row, bypassing the ORM, to prove the database refuses it by itself."""
    row = {
        "kind": "policy_brief", "slug": "raw", "title": "Raw", "summary": "", "body": "",
        "language": "en", "country_id": factories.country("GHA").id, "status": "draft",
        "visibility": "public", "published_on": None, "is_example": False, "position": 0,
        "version": 1, "created_at": "2025-01-01 00:00:00", "updated_at": "2025-01-01 00:00:00",
    }  # fmt: skip
    row.update(values)
    columns = ", ".join(row)
    params = ", ".join(f":{k}" for k in row)
    sql = f"INSERT INTO documents ({columns}) VALUES ({params})"  # noqa: S608 - our own keys
    db.session.execute(text(sql), row)
    db.session.flush()


def test_slugs_are_unique_across_kinds(app):
    factories.document(slug="same")
    with pytest.raises(IntegrityError):
        factories.document(slug="same", kind=Kind.COUNTRY_EXPERIENCE)


def test_brief_without_country_is_refused(app):
    with pytest.raises(IntegrityError):
        _insert(country_id=None)


def test_guidebook_section_needs_no_country(app):
    _insert(kind="guidebook_section", country_id=None)
    stored = db.session.scalar(select(Document).where(Document.slug == "raw"))
    assert (stored.kind, stored.country_id) == (Kind.GUIDEBOOK_SECTION, None)


def test_only_guidebook_sections_have_a_parent(app):
    section = factories.document(kind=Kind.GUIDEBOOK_SECTION, country_code=None)
    with pytest.raises(IntegrityError):
        _insert(parent_id=section.id)


def test_published_document_needs_a_date(app):
    with pytest.raises(IntegrityError):
        _insert(status="published", published_on=None)


@pytest.mark.parametrize("column, value", [("kind", "memo"), ("status", "deleted"),
                                           ("visibility", "secret")])  # fmt: skip
def test_unknown_enum_values_are_refused_by_the_database(app, column, value):
    with pytest.raises(IntegrityError):
        _insert(**{column: value})


def test_unknown_area_is_refused_by_the_database(app):
    doc = factories.document()
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("INSERT INTO document_areas (document_id, area) VALUES (:d, 'space')"),
            {"d": doc.id},
        )
        db.session.flush()


def test_unknown_status_is_refused_by_the_model(app):
    doc = factories.document()
    with pytest.raises((StatementError, LookupError, ValueError)):
        db.session.execute(
            Document.__table__.update().where(Document.id == doc.id).values(status="bogus")
        )


def test_version_increases_on_every_change(app):
    doc = factories.document()
    first = doc.version
    doc.title = "Changed"
    db.session.commit()
    assert doc.version == first + 1


def test_save_based_on_an_old_version_is_refused(app):
    doc = factories.document()
    assert doc.title  # loaded: this editor holds version N
    with db.engine.begin() as other_editor:
        other_editor.execute(
            Document.__table__.update()
            .where(Document.id == doc.id)
            .values(title="First editor", version=doc.version + 1)
        )
    doc.title = "Second editor"
    with pytest.raises(StaleDataError):
        db.session.commit()


def test_deleting_a_document_deletes_its_revisions(app):
    doc = factories.document()
    doc_id = doc.id
    db.session.delete(doc)
    db.session.commit()
    assert db.session.scalars(select(Revision).where(Revision.document_id == doc_id)).all() == []


def test_revision_numbers_are_unique_per_document(app):
    doc = factories.document()
    with pytest.raises(IntegrityError):
        db.session.execute(
            text(
                "INSERT INTO revisions (document_id, number, snapshot, note, created_at) "
                "VALUES (:d, 1, '{}', '', '2025-01-01 00:00:00')"
            ),
            {"d": doc.id},
        )
        db.session.flush()


def test_revision_snapshot_holds_the_full_document(app):
    doc = factories.document(title="Snap", goals=[4], targets=["4.1"], tags=["b", "a"])
    snapshot = doc.revisions[-1].snapshot
    assert snapshot["title"] == "Snap"
    assert snapshot["goals"] == [4] and snapshot["targets"] == ["4.1"]
    assert snapshot["tags"] == ["a", "b"]
    assert snapshot["country"] == "GHA"


def test_timestamps_are_timezone_aware_utc(app):
    doc = factories.document()
    db.session.expire_all()
    doc = db.session.get(Document, doc.id)
    assert doc.created_at.utcoffset().total_seconds() == 0


def test_draft_may_have_no_published_date(app):
    doc = factories.document(status=Status.DRAFT, published_on=None)
    assert doc.published_on is None


def test_published_date_is_kept_as_a_date(app):
    doc = factories.document(published_on=date(2024, 2, 29))
    db.session.expire_all()
    assert db.session.get(Document, doc.id).published_on == date(2024, 2, 29)
