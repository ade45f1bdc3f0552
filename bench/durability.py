"""Durability figures (catalogue T-24, T-29, T-30), measured through the Hub's own code in real
processes. Each figure is printed with the command that reproduces it.

1. Contention (T-24): P processes × N read-modify-write transactions on one document, two ways:
   a document edit through the service (optimistic locking; a conflict is re-saved, as a person
   would) and a counter in ``database.write_transaction``. The Hub's engine settings, then two
   baselines: "deferred" (plain BEGIN at a transaction's first statement, reads included) and
   "driver" (Python's sqlite3 default: plain BEGIN just before the first change).
   Figures: "database is locked" errors met; lost updates (committed minus final counter).
2. The same on PostgreSQL (T-29) with ``--pg-url`` (an EMPTY database; it is migrated here).
3. kill -9 (T-30): K kills during M MB uploads through the service, and K kills during text
   extraction. Figures: files the database refers to that are missing, truncated or fail their
   checksum; extracted texts that are partial; temporary files left (swept after) and orphans.

    .venv/bin/python bench/durability.py                       # 8 x 300, 20 kills, 50 MB
    .venv/bin/python bench/durability.py --processes 4 --transactions 50 --kills 3 --upload-mb 5
    .venv/bin/python bench/durability.py --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/db

It lowers its own priority (nice 10): the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import select  # noqa: E402

from hub import create_app  # noqa: E402
from hub.accounts.models import Role, User  # noqa: E402
from hub.documents import editing  # noqa: E402
from hub.documents.models import Attachment, Document, ExtractionStatus, Status  # noqa: E402
from hub.extensions import db  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import _migrate_and_load_reference  # noqa: E402
from tests.security.durability import (  # noqa: E402
    check_stored_files,
    kill_during,
    run_contention,
    worker_config,
)

EXTRACT_PAGES = 60


def _app(url: str, tmp: Path) -> Flask:
    return create_app(worker_config(url, tmp))


def _fresh_database(url: str | None, tmp: Path) -> str:
    url = url or f"sqlite:///{tmp / 'hub.sqlite'}"
    _migrate_and_load_reference(url, tmp)
    return url


def _seed(url: str, tmp: Path, body: str = "count 0") -> tuple[int, int]:
    app = _app(url, tmp)
    with app.app_context():
        editor = factories.user(role=Role.EDITOR, country_code=None)
        doc = factories.document(status=Status.DRAFT, body=body)
        ids = doc.id, editor.id
        db.session.remove()
        db.engine.dispose()
    return ids


def _final(url: str, tmp: Path, doc_id: int, scenario: str) -> int:
    app = _app(url, tmp)
    with app.app_context():
        doc = db.session.get(Document, doc_id)
        value = int(doc.body.rsplit(" ", 1)[1]) if scenario == "edit" else doc.position
        db.session.remove()
        db.engine.dispose()
    return value


def contention(args: argparse.Namespace, pg_url: str | None, command: str) -> None:
    modes = ["hub"] if pg_url else ["hub", "deferred", "driver"]
    for scenario in ("edit", "counter"):
        for mode in modes:
            with tempfile.TemporaryDirectory() as folder:
                tmp = Path(folder)
                url = _fresh_database(pg_url, tmp)
                doc_id, user_id = _seed(url, tmp)
                started = time.perf_counter()
                counts = run_contention(
                    database_url=url, tmp=tmp, document_id=doc_id, user_id=user_id,
                    processes=args.processes, transactions=args.transactions,
                    scenario=scenario, begin=mode, timeout=4 * 3600,
                )  # fmt: skip
                seconds = time.perf_counter() - started
                final = _final(url, tmp, doc_id, scenario)
                if pg_url:
                    _empty(url, tmp)
            name = "postgresql" if pg_url else "sqlite"
            print(
                f"{'T-29' if pg_url else 'T-24'} {name} {scenario:7} begin={mode:8} "
                f"{args.processes}x{args.transactions}: database is locked = {counts['locked']}; "
                f"lost updates = {counts['committed'] - final}; committed {counts['committed']}, "
                f"conflicts re-saved {counts['conflicts']}, serialization failures or deadlocks "
                f"that reached the caller {counts['retried']}, gave up {counts['gave_up']}; "
                f"{seconds:.1f} s"
            )
    print(f"    reproduce: {command}")


def _empty(url: str, tmp: Path) -> None:
    """Drop what a PostgreSQL run made, so the next run starts from an empty database."""
    app = _app(url, tmp)
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        db.engine.dispose()


def uploads(args: argparse.Namespace, command: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        url = _fresh_database(None, tmp)
        doc_id, user_id = _seed(url, tmp, body="uploads")
        pdf = tmp / "big.pdf"
        pdf.write_bytes(factories.pdf_bytes("padded") + os.urandom(args.upload_mb * 1024 * 1024))
        job = {
            "job": "upload", "database_url": url, "tmp": str(tmp), "ready": str(tmp / "ready"),
            "document_id": doc_id, "user_id": user_id, "pdf": str(pdf),
        }  # fmt: skip
        chance = random.Random(30)
        for _round in range(args.kills):
            kill_during(job, after=chance.uniform(0.2, 3.0))
        app = _app(url, tmp)
        with app.app_context():
            found = check_stored_files()
            from hub.documents import files

            swept = len(files.sweep_partial_uploads(older_than=0))
        print(
            f"T-30 {args.kills} x kill -9 during {args.upload_mb} MB uploads: truncated or partial "
            f"files referenced by the DB = {found['bad_referenced_files']} (of {found['rows']} "
            f"rows); temporary files left {found['partial_files']} (swept {swept}); complete "
            f"files no row refers to {found['orphan_files']}"
        )
        print(f"    reproduce: {command}")


def extraction(args: argparse.Namespace, command: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        url = _fresh_database(None, tmp)
        doc_id, user_id = _seed(url, tmp, body="extraction")
        source = tmp / "text.pdf"
        source.write_bytes(factories.pdf_bytes("durability marker", pages=EXTRACT_PAGES))
        app = _app(url, tmp)
        with app.app_context(), app.test_request_context():
            doc, editor = db.session.get(Document, doc_id), db.session.get(User, user_id)
            for n in range(args.kills * 3):
                editing.attach_pdf(doc, source, f"text-{n}.pdf", by=editor)
            db.session.remove()
        job = {"job": "extract", "database_url": url, "tmp": str(tmp), "ready": str(tmp / "go")}
        chance = random.Random(29)
        for _round in range(args.kills):
            kill_during(job, after=chance.uniform(0.1, 2.0))
        with app.app_context():
            rows = db.session.execute(
                select(Attachment.extraction_status, Attachment.text, Attachment.page_count)
            ).all()
            partial = sum(
                1
                for status, text, pages in rows
                if status is ExtractionStatus.OK
                and (pages != EXTRACT_PAGES or f"(page {EXTRACT_PAGES})" not in (text or ""))
            )
            done = sum(1 for status, _t, _p in rows if status is ExtractionStatus.OK)
            found = check_stored_files()
        print(
            f"T-30 {args.kills} x kill -9 during text extraction: partial extracted texts = "
            f"{partial}; files referenced by the DB that are bad = "
            f"{found['bad_referenced_files']}; {done} of {len(rows)} extracted by the end "
            "(the rest stay pending for the worker's recovery)"
        )
        print(f"    reproduce: {command}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--transactions", type=int, default=300)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--upload-mb", type=int, default=50)
    parser.add_argument("--pg-url", default=os.environ.get("HUB_BENCH_DATABASE_URL"))
    parser.add_argument("--only", choices=["contention", "postgresql", "uploads", "extraction"])
    args = parser.parse_args()
    os.nice(10)
    command = ".venv/bin/python " + shlex.join(["bench/durability.py", *sys.argv[1:]])
    only = args.only
    if only in (None, "contention"):
        contention(args, None, command)
    if args.pg_url and only in (None, "postgresql"):
        contention(args, args.pg_url, command)
    if only in (None, "uploads"):
        uploads(args, command)
    if only in (None, "extraction"):
        extraction(args, command)


if __name__ == "__main__":
    main()
