"""T-28 backup and restore drilled under write load, at full size.

Builds an instance with about ``--mb`` megabytes of attachments and ``--docs`` documents, then
backs it up (``hub.backup.archive.create``, what ``flask hub backup`` runs) while a writer thread
keeps saving documents, restores the archive into a fresh database and data folder, and rebuilds
the index. Figures:

* backup seconds per 100 MB of archive;
* RTO: restore (checksums, database, files) + reindex seconds;
* RPO: writes acknowledged before the snapshot time that are missing after the restore (must be
  0), and the writes made after the snapshot (what restoring this archive gives up);
* integrity_check of the restored database and row counts against the manifest.

    .venv/bin/python bench/backup_drill.py                  # SQLite, 100 MB, 1,000 documents
    .venv/bin/python bench/backup_drill.py --mb 20 --docs 200
    PG=postgresql+psycopg://postgres@127.0.0.1:5432
    .venv/bin/python bench/backup_drill.py --database-url $PG/EMPTY1 --restore-url $PG/EMPTY2

The PostgreSQL databases must exist and be empty. It lowers its own priority (nice 10).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from hub import create_app  # noqa: E402
from hub.backup import archive, databases  # noqa: E402
from hub.countries.reference import load_countries  # noqa: E402
from hub.documents.attachments import attachment_from_file  # noqa: E402
from hub.documents.models import Document  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.sdg.reference import load_sdgs  # noqa: E402
from hub.search import indexing  # noqa: E402
from tests import factories  # noqa: E402

REFERENCE = ROOT / "content" / "reference"
MB = 1024 * 1024


def _app(url: str, folder: Path):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "DATA_DIR": str(folder / "data"),
            "SECRET_KEY": "backup-drill-secret-key-0123456789abcdef",
            "AUDIT_LOG": str(folder / "audit.log"),
            "INDEX_FOLLOW": "inline",
            "CHECK_INDEX_ON_START": False,
            "MAX_CONTENT_LENGTH": 64 * MB,
        }
    )


def _fill(docs: int, megabytes: int, folder: Path) -> None:
    upgrade()
    load_sdgs(REFERENCE / "sdg")
    load_countries(REFERENCE / "m49_regions.csv")
    files = max(1, megabytes)  # one 1 MB PDF per megabyte
    for n in range(docs):
        doc = factories.document(title=f"Backup drill document {n}", commit=False)
        if n < files:
            source = folder / "upload.pdf"
            source.write_bytes(factories.pdf_bytes(f"file {n}") + b"%" + os.urandom(MB))
            doc.attachments.append(
                attachment_from_file(source, filename=f"f{n}.pdf", extract=False)
            )
        if n % 50 == 49:
            db.session.commit()
    db.session.commit()


class Writer(threading.Thread):
    def __init__(self, app) -> None:
        super().__init__(daemon=True)
        self.app, self.stop, self.saved = app, threading.Event(), []

    def run(self) -> None:
        with self.app.app_context():
            n = 0
            while not self.stop.is_set():
                doc = factories.document(title=f"Written during the backup {n}")
                self.saved.append((doc.slug, datetime.now(UTC)))
                n += 1
            db.session.remove()


def drill(args: argparse.Namespace, tmp: Path) -> int:
    source_url = args.database_url or f"sqlite:///{tmp / 'source' / 'hub.sqlite'}"
    restore_url = args.restore_url or f"sqlite:///{tmp / 'restored' / 'hub.sqlite'}"
    (tmp / "source").mkdir()
    (tmp / "restored").mkdir()
    source = _app(source_url, tmp / "source")
    with source.app_context():
        started = time.perf_counter()
        _fill(args.docs, args.mb, tmp)
        print(f"instance: {args.docs} documents, {args.mb} attachments of 1 MB "
              f"({time.perf_counter() - started:.0f} s to build)")  # fmt: skip
        writer = Writer(source)
        writer.start()
        while len(writer.saved) < 5:
            time.sleep(0.01)
        made = archive.create(tmp / "backup.tar")
        writer.stop.set()
        writer.join()
        db.session.remove()
        db.engine.dispose()
    restored = _app(restore_url, tmp / "restored")
    with restored.app_context():
        done = archive.restore(made.archive, reindex=False)
        described = (
            databases.describe_sqlite(databases.sqlite_path(restore_url))
            if restore_url.startswith("sqlite")
            else databases.describe_postgres(restore_url)
        )
        reindexed = indexing.rebuild(reason="backup drill")
        slugs = set(db.session.scalars(select(Document.slug)))
        db.session.remove()
        db.engine.dispose()
    snapshot_at = datetime.fromisoformat(made.manifest["snapshot_at"])
    before = [slug for slug, at in writer.saved if at < snapshot_at]
    lost = [slug for slug in before if slug not in slugs]
    after = len(writer.saved) - len(before)
    counts_equal = described.counts == made.manifest["database"]["counts"]
    kind = made.manifest["database"]["kind"]
    print(f"T-28 backup ({kind}): archive {made.bytes / MB:.1f} MB in {made.seconds:.2f} s = "
          f"{made.seconds / (made.bytes / MB) * 100:.2f} s per 100 MB, while "
          f"{len(writer.saved)} documents were saved")  # fmt: skip
    rto = done.seconds + reindexed.seconds
    print(f"T-28 RTO: restore {done.seconds:.2f} s + reindex {reindexed.seconds:.2f} s "
          f"({reindexed.documents} documents) = {rto:.2f} s")  # fmt: skip
    print(f"T-28 RPO: acknowledged before the snapshot {len(before)}, lost {len(lost)}; saved "
          f"after the snapshot (not in this archive) {after}")  # fmt: skip
    print(f"T-28 restored: integrity_check {described.integrity}; row counts equal to the "
          f"manifest: {counts_equal}")  # fmt: skip
    command = " ".join(["bench/backup_drill.py", *sys.argv[1:]])
    print(f"reproduce: nice -n 10 .venv/bin/python {command}")
    intact = described.integrity in ("ok", databases.NOT_CHECKED)
    return 0 if not lost and counts_equal and intact else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=100, help="megabytes of attachments")
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--database-url", default="", help="an EMPTY PostgreSQL database")
    parser.add_argument("--restore-url", default="", help="another EMPTY database to restore to")
    args = parser.parse_args()
    os.nice(10)
    with tempfile.TemporaryDirectory(prefix="backup-drill-") as tmp:
        return drill(args, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
