"""Files survive kill -9 whole or not at all (catalogue T-30): every file the database refers to
has the size and checksum recorded for it, whatever moment the writer died. bench/durability.py
runs 20 kills during 50 MB uploads and 20 during text extraction."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from hub.accounts.models import Role
from hub.documents import files
from hub.documents.models import Status
from hub.extensions import db
from hub.files import PARTIAL_PREFIX, atomic_write, sweep_partial_files, write_atomic
from tests import factories
from tests.security.durability import check_stored_files, kill_during

ROUNDS, UPLOAD_MB = 3, 5


def big_pdf(path: Path, megabytes: int) -> Path:
    """A real PDF followed by ``megabytes`` of padding (readers ignore what follows %%EOF)."""
    path.write_bytes(factories.pdf_bytes("padded") + os.urandom(megabytes * 1024 * 1024))
    return path


def test_kill_during_uploads_leaves_no_partial_file_in_the_database(app, database_url, tmp_path):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    doc = factories.document(status=Status.DRAFT)
    job = {
        "job": "upload", "database_url": database_url, "tmp": str(tmp_path),
        "ready": str(tmp_path / "ready"), "document_id": doc.id, "user_id": editor.id,
        "pdf": str(big_pdf(tmp_path / "big.pdf", UPLOAD_MB)),
    }  # fmt: skip
    db.session.remove()
    chance = random.Random(30)

    for _round in range(ROUNDS):
        kill_during(job, after=chance.uniform(0.3, 1.5))

    found = check_stored_files()
    print(f"T-30 {ROUNDS} kills during {UPLOAD_MB} MB uploads: {found}")
    assert found["bad_referenced_files"] == 0


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    target = tmp_path / "kept.txt"
    write_atomic(target, b"old")

    with pytest.raises(RuntimeError), atomic_write(target) as fh:
        fh.write(b"half of the new")
        raise RuntimeError("the writer fails")

    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


def test_sweep_removes_old_temporary_files_and_spares_young_ones(tmp_path):
    old, young = tmp_path / "ab" / f"{PARTIAL_PREFIX}old", tmp_path / f"{PARTIAL_PREFIX}young"
    old.parent.mkdir()
    for path in (old, young, tmp_path / "ab" / "kept.pdf"):
        path.write_bytes(b"x")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))

    swept = sweep_partial_files(tmp_path)

    assert swept == [old]
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        PARTIAL_PREFIX + "young",
        "kept.pdf",
    ]


def test_attachment_store_sweeps_partial_uploads(app):
    leftover = files.attachments_root() / "ab" / f"{PARTIAL_PREFIX}killed"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"%PDF-half")

    swept = files.sweep_partial_uploads(older_than=0)

    assert swept == [leftover] and not leftover.exists()
