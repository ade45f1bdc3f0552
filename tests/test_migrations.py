"""The Alembic migrations are the only way the schema is made, so they must match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from hub import create_app
from hub.extensions import db


def _fresh_app(tmp_path, database_url):
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "DATA_DIR": str(tmp_path / "d"),
                       "SEARCH_INDEX_DIR": str(tmp_path / "i"), "TESTING": True})  # fmt: skip


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(tmp_path):
    app = _fresh_app(tmp_path, f"sqlite:///{tmp_path / 'm.sqlite'}")
    with app.app_context():
        upgrade()
        assert "documents" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert "documents" not in inspect(db.engine).get_table_names()
        upgrade()
        assert {"index_changes", "index_hosts", "index_log"} <= set(
            inspect(db.engine).get_table_names()
        )
        db.engine.dispose()


def test_upgrading_a_populated_database_keeps_every_row(tmp_path):
    """Once a bug: batch table rebuilds on SQLite with foreign keys on cascaded the DROP and
    deleted every revision, attachment and SDG link."""
    app = _fresh_app(tmp_path, f"sqlite:///{tmp_path / 'p.sqlite'}")
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO documents (id, kind, slug, title, summary, body, language, status, "
                "visibility, is_example, position, version, created_at, updated_at) VALUES "
                "(1, 'guidebook_section', 's', 'T', '', '', 'en', 'draft', 'public', 0, 0, 1, "
                "'2025-01-01 00:00:00', '2025-01-01 00:00:00')"
            )
            conn.exec_driver_sql(
                "INSERT INTO revisions (document_id, number, snapshot, note, created_at) "
                "VALUES (1, 1, '{}', '', '2025-01-01 00:00:00')"
            )
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM revisions").scalar() == 1
        db.engine.dispose()


def test_upgrade_keeps_unapplied_outbox_rows_in_the_change_log(tmp_path):
    app = _fresh_app(tmp_path, f"sqlite:///{tmp_path / 'o.sqlite'}")
    with app.app_context():
        upgrade(revision="0013")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO index_outbox (id, document_id, created_at) "
                "VALUES (7, 3, '2025-01-01 00:00:00')"
            )
        upgrade(revision="0014")
        with db.engine.begin() as conn:
            kept = conn.exec_driver_sql("SELECT id, document_id FROM index_changes").all()
            conn.exec_driver_sql(
                "INSERT INTO index_changes (document_id, created_at) "
                "VALUES (4, '2025-01-01 00:00:00')"
            )
            after = conn.exec_driver_sql("SELECT max(id) FROM index_changes").scalar()
        assert [tuple(row) for row in kept] == [(7, 3)]
        assert after == 8
        db.engine.dispose()
