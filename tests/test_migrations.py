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
        assert "index_outbox" in inspect(db.engine).get_table_names()
        db.engine.dispose()
