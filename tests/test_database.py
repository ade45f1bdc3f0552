"""Connection settings and writer discipline (catalogue T-24): every pooled SQLite connection runs
with WAL, a busy timeout, foreign keys and FULL sync, and every write transaction starts with
BEGIN IMMEDIATE, so a writer waits its turn instead of failing with "database is locked"."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from hub import database
from hub.accounts.models import Role
from hub.documents import editing
from hub.documents.models import Document, Status
from hub.extensions import db
from tests import factories
from tests.conftest import PG_URL


def _statements_of(connection) -> list[str]:
    seen: list[str] = []
    connection.set_trace_callback(seen.append)
    return seen


def test_every_pooled_connection_has_the_hub_settings(app):
    held = [db.engine.raw_connection() for _ in range(4)]  # four at once: four connections
    assert len({id(c.dbapi_connection) for c in held}) == 4
    try:
        if PG_URL:  # versioned updates rely on READ COMMITTED re-checking the row they wait for
            found = [_pg_isolation(c.dbapi_connection) for c in held]
            assert found == ["read committed"] * 4
            return
        found = [database.sqlite_settings(c.dbapi_connection) for c in held]
    finally:
        for connection in held:
            connection.close()
    assert found == [
        {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 10000,
         "begin": "IMMEDIATE"}
    ] * 4  # fmt: skip


def test_a_service_write_starts_with_begin_immediate(app):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    doc = factories.document(status=Status.DRAFT)
    if PG_URL:
        editing.update(doc, _input(doc, "changed"), expected_version=1, by=editor)
        assert db.session.get(Document, doc.id).version == 2
        return
    seen = _statements_of(db.session.connection().connection.dbapi_connection)

    editing.update(doc, _input(doc, "changed"), expected_version=doc.version, by=editor)

    writes = [s for s in seen if s.split()[0] in {"BEGIN", "INSERT", "UPDATE", "DELETE"}]
    assert writes[0] == "BEGIN IMMEDIATE"
    assert writes.count("BEGIN IMMEDIATE") == 1 and "BEGIN " not in writes


def test_a_savepoint_outside_a_transaction_takes_the_write_lock_first(app):
    doc = factories.document()
    if PG_URL:
        with db.session.begin_nested():
            db.session.get(Document, doc.id).position = 5
        db.session.commit()
        assert db.session.get(Document, doc.id).position == 5
        return
    db.session.rollback()
    seen = _statements_of(db.session.connection().connection.dbapi_connection)

    with db.session.begin_nested():
        db.session.scalars(db.select(Document)).all()

    assert seen[:2] == ["BEGIN IMMEDIATE", "SAVEPOINT sa_savepoint_1"]
    db.session.rollback()


def test_begin_write_holds_off_other_writers_until_commit(app):
    """While one transaction holds the write lock from its first read, a second writer can
    neither read-then-write in between nor fail: it waits (here, a short timeout shows it)."""
    doc = factories.document()
    database.begin_write()
    db.session.get(Document, doc.id).position += 1
    db.session.flush()
    other = db.engine.connect()
    try:
        if PG_URL:
            other.exec_driver_sql("SET lock_timeout = '200ms'")
            blocked = "lock timeout"
        else:
            other.connection.dbapi_connection.execute("PRAGMA busy_timeout=200")
            blocked = "database is locked"
        with pytest.raises(OperationalError, match=blocked):
            other.execute(text("UPDATE documents SET position = 9 WHERE id = :id"), {"id": doc.id})
    finally:
        other.rollback()
        other.close()
    db.session.commit()
    assert db.session.get(Document, doc.id).position == 1


def _pg_isolation(connection) -> str:
    cursor = connection.cursor()
    cursor.execute("SHOW transaction_isolation")
    level = cursor.fetchone()[0]
    connection.rollback()
    return level


def _input(doc: Document, body: str) -> editing.DocumentInput:
    return editing.DocumentInput(
        title=doc.title, summary=doc.summary, body=body, language=doc.language,
        country=doc.country.iso3 if doc.country else None, visibility=doc.visibility,
    )  # fmt: skip
