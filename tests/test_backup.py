"""T-28 backup and restore, drilled under write load (short version; bench/backup_drill.py runs
the full one and prints the timings).

A writer thread keeps saving documents while ``flask hub backup`` runs; the archive is restored
into a fresh database and data folder and the index rebuilt. Figures: integrity_check, row counts
against the manifest, and writes lost relative to the snapshot time (every save acknowledged
before the snapshot must be in the restored database).
"""

from __future__ import annotations

import io
import shutil
import tarfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from hub import create_app
from hub.backup import archive, databases
from hub.documents.attachments import attachment_from_file
from hub.documents.files import path_for
from hub.documents.models import Document
from hub.errors import Conflict, Invalid
from hub.extensions import db
from hub.search import indexing
from tests import factories
from tests.conftest import PG_URL, RequestScopedClient, _config, serving

WRITES_WANTED = 40  # liveness bound for the writer thread


@pytest.fixture
def restore_url(tmp_path: Path) -> Iterator[str]:
    """An empty database to restore into: a new SQLite path, or a fresh PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'restored' / 'hub.sqlite'}"
        return
    url = make_url(PG_URL)
    name = f"{url.database}_restore_{id(tmp_path)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def restored_instance(url: str, tmp_path: Path) -> Iterator[Flask]:
    """A second Hub on an empty database (not emptied again: it is fresh), to restore into."""
    folder = tmp_path / "restored"
    folder.mkdir(exist_ok=True)
    app = create_app(_config(url, folder))
    app.test_client_class = RequestScopedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _attach(doc: Document, tmp_path: Path, n: int) -> None:
    source = tmp_path / f"upload-{n}.pdf"
    source.write_bytes(factories.pdf_bytes(f"attachment {n}"))
    doc.attachments.append(attachment_from_file(source, filename=f"a{n}.pdf", extract=False))
    db.session.commit()


class Writer(threading.Thread):
    """Saves documents one after another, noting when each save was acknowledged."""

    def __init__(self, app: Flask) -> None:
        super().__init__(daemon=True)
        self.app, self.stop, self.saved = app, threading.Event(), []

    def run(self) -> None:
        with self.app.app_context():
            for n in range(WRITES_WANTED * 10):
                if self.stop.is_set() or len(self.saved) >= WRITES_WANTED * 10:
                    break
                doc = factories.document(title=f"Written during the backup {n}")
                self.saved.append((doc.slug, datetime.now(UTC)))
            db.session.remove()


def test_backup_during_writes_restores_every_write_before_its_snapshot(
    app: Flask, tmp_path: Path, restore_url: str
) -> None:
    for n in range(3):
        _attach(factories.document(title=f"Before the backup {n}"), tmp_path, n)
    writer = Writer(app)
    writer.start()
    deadline = time.monotonic() + 60  # liveness only
    while len(writer.saved) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    result = archive.create(tmp_path / "backup.tar")
    writer.stop.set()
    writer.join(timeout=60)
    assert not writer.is_alive()

    with restored_instance(restore_url, tmp_path):
        done = archive.restore(result.archive, reindex=False)
        described = (
            databases.describe_sqlite(databases.sqlite_path(restore_url))
            if not PG_URL
            else databases.describe_postgres(restore_url)
        )
        reindexed = indexing.rebuild(reason="restored")
        slugs = set(db.session.scalars(select(Document.slug)))
        check = indexing.check()
        attachment_files = [path_for(a.stored_name) for d in db.session.scalars(
            select(Document)) for a in d.attachments]  # fmt: skip
    snapshot_at = datetime.fromisoformat(result.manifest["snapshot_at"])
    before = [slug for slug, at in writer.saved if at < snapshot_at]
    lost = [slug for slug in before if slug not in slugs]
    print(
        f"T-28 drill: {len(writer.saved)} writes during the backup, {len(before)} acknowledged "
        f"before the snapshot, lost {len(lost)}; integrity_check {described.integrity}; "
        f"backup {result.seconds:.2f} s, restore {done.seconds:.2f} s + reindex "
        f"{reindexed.seconds:.2f} s"
    )
    assert before, "no write was acknowledged before the snapshot"
    assert lost == []
    assert described.integrity == ("ok" if not PG_URL else databases.NOT_CHECKED)
    assert described.counts == result.manifest["database"]["counts"]
    assert check.ok
    assert len(attachment_files) == 3 and all(p.is_file() for p in attachment_files)


def test_restore_refuses_a_database_that_holds_rows(app: Flask, tmp_path: Path) -> None:
    factories.document(title="Kept")
    made = archive.create(tmp_path / "backup.tar")
    with pytest.raises(Conflict):
        archive.restore(made.archive)


def test_restore_with_force_replaces_a_database_that_holds_rows(app: Flask, tmp_path: Path) -> None:
    factories.document(title="In the backup")
    made = archive.create(tmp_path / "backup.tar")
    factories.document(title="After the backup")
    archive.restore(made.archive, force=True)
    titles = set(db.session.scalars(select(Document.title)))
    assert titles == {"In the backup"}


def test_restore_refuses_an_archive_whose_attachment_changed(
    app: Flask, tmp_path: Path, restore_url: str
) -> None:
    _attach(factories.document(title="With a file"), tmp_path, 1)
    made = archive.create(tmp_path / "backup.tar")
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(made.archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith(".pdf"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with restored_instance(restore_url, tmp_path), pytest.raises(Invalid, match="checksum"):
        archive.restore(tampered)


@pytest.fixture
def sqlite_app(sqlite_template: str, tmp_path: Path) -> Iterator[Flask]:
    """A Hub on SQLite in both suites: -wal and -shm files belong to SQLite."""
    folder = tmp_path / "sqlite-hub"
    folder.mkdir()
    shutil.copyfile(sqlite_template, folder / "hub.sqlite")
    with serving(create_app(_config(f"sqlite:///{folder / 'hub.sqlite'}", folder))) as app:
        yield app


def test_restore_deletes_stale_wal_and_shm_files(sqlite_app: Flask, tmp_path: Path) -> None:
    factories.document(title="Restored")
    made = archive.create(tmp_path / "backup.tar")
    target = tmp_path / "fresh" / "hub.sqlite"
    target.parent.mkdir()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").write_bytes(b"left by an earlier database" * 100)
    with restored_instance(f"sqlite:///{target}", tmp_path):
        archive.restore(made.archive, reindex=False)
    assert not Path(f"{target}-wal").exists()
    assert not Path(f"{target}-shm").exists()
    assert databases.describe_sqlite(target).integrity == "ok"


def test_backup_and_restore_commands_report_what_they_did(
    app: Flask, tmp_path: Path, restore_url: str
) -> None:
    factories.document(title="Through the command line")
    made = app.test_cli_runner().invoke(args=["hub", "backup", str(tmp_path / "cli.tar")])
    assert made.exit_code == 0, made.output
    with restored_instance(restore_url, tmp_path) as restored:
        done = restored.test_cli_runner().invoke(args=["hub", "restore", str(tmp_path / "cli.tar")])
    assert done.exit_code == 0, done.output
    assert "counts match the manifest" in done.output
