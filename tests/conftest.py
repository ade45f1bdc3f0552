"""Test set-up: a real database built by the real migrations, and a real Whoosh index in tmp_path.

SQLite (default): the migrations and reference data are applied once to a template file, which each
test copies. PostgreSQL (``HUB_TEST_DATABASE_URL``): each xdist worker gets its own database,
migrated once; every test then starts from emptied content tables.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hub import create_app
from hub.config import PROJECT_ROOT
from hub.countries.reference import load_countries
from hub.extensions import db
from hub.sdg.reference import load_sdgs

pytest_plugins = ["tests.mailserver"]

REFERENCE = PROJECT_ROOT / "content" / "reference"
PG_URL = os.environ.get("HUB_TEST_DATABASE_URL")
# Reference tables survive between tests on PostgreSQL; everything else is emptied.
KEEP_TABLES = {"alembic_version", "sdg_goals", "sdg_targets", "sdg_indicators", "countries"}


def _config(database_url: str, tmp: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_INDEX_DIR": str(tmp / "index"),
        "DATA_DIR": str(tmp / "data"),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "CHECK_INDEX_ON_START": False,
        "INDEX_FOLLOW": "inline",
        "AUDIT_LOG": str(tmp / "audit.log"),
    }


def _migrate_and_load_reference(database_url: str, tmp: Path) -> None:
    app = create_app(_config(database_url, tmp))
    with app.app_context():
        upgrade()
        load_sdgs(REFERENCE / "sdg")
        load_countries(REFERENCE / "m49_regions.csv")
        db.session.remove()
        db.engine.dispose()


def _worker_database(worker_id: str) -> str:
    """A PostgreSQL database of this xdist worker's own, created fresh for the session."""
    url = make_url(PG_URL)
    name = f"{url.database}_hub_{worker_id}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLite: path of a migrated template file. PostgreSQL: URL of this worker's database."""
    tmp = tmp_path_factory.mktemp("template")
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if PG_URL:
        url = _worker_database(worker_id)
        _migrate_and_load_reference(url, tmp)
        return url
    path = tmp / "template.sqlite"
    _migrate_and_load_reference(f"sqlite:///{path}", tmp)
    return str(path)


@pytest.fixture(scope="session")
def sqlite_template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A migrated SQLite template file, also when the suite runs on PostgreSQL: for the tests of
    what only the SQLite set-up has (its file on a full disk, its -wal file, its integrity after
    a kill), which then run in both suites instead of being skipped in one."""
    if not PG_URL:
        return request.getfixturevalue("database_template")
    tmp = tmp_path_factory.mktemp("sqlite-template")
    path = tmp / "template.sqlite"
    _migrate_and_load_reference(f"sqlite:///{path}", tmp)
    return str(path)


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    if PG_URL:
        return database_template
    path = tmp_path / "hub.sqlite"
    shutil.copyfile(database_template, path)
    return f"sqlite:///{path}"


class RequestScopedClient(FlaskClient):
    """Each request gets its own app context, as in production.

    The ``app`` fixture keeps an app context pushed for the test's own database work; Flask would
    reuse it for client requests, so ``g`` (which holds the CSRF token and the index flag) and the
    database session would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _empty_content_tables() -> None:
    tables = [t.name for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        conn.execute(
            text(
                "UPDATE countries SET partnership_status = 'none', is_co_chair = false, "
                "profile = '', profile_is_example = false"
            )
        )


@contextmanager
def serving(app: Flask) -> Iterator[Flask]:
    """``app`` in an app context, its content tables emptied before and after on PostgreSQL
    (a SQLite file is each test's own copy), its connections closed at the end."""
    app.test_client_class = RequestScopedClient
    with app.app_context():
        shared = db.engine.dialect.name == "postgresql"
        if shared:
            _empty_content_tables()
        yield app
        db.session.remove()
        if shared:
            _empty_content_tables()
        db.engine.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    with serving(create_app(_config(database_url, tmp_path))) as app:
        yield app


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's .env or HUB_* variables out of the tests' configuration."""
    for name in list(os.environ):
        if name.startswith("HUB_") and name != "HUB_TEST_DATABASE_URL":
            monkeypatch.delenv(name, raising=False)
