"""Worker processes for the durability tests and bench/durability.py: real processes running the
Hub's own code against one database, so contention and kill -9 happen as in production.

Run as ``python -m tests.security.durability '<json>'``; the JSON names the job (``contend``,
``upload`` or ``extract``) and its settings. A worker waits for the ``go`` file before it starts,
so that process start-up does not spread the workers out in time, and prints a JSON report.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

ROOT = Path(__file__).resolve().parents[2]
# How the engine begins transactions: the Hub's own settings, or a baseline to compare with.
BEGIN_MODES = ("hub", "deferred", "driver")
SCENARIOS = ("edit", "counter")


def worker_config(database_url: str, tmp: Path) -> dict[str, Any]:
    """The app's settings in a worker: the test set-up's, without inline indexing or jobs."""
    from tests.conftest import _config  # here, as the hub imports are: workers start lean

    return {
        **_config(database_url, tmp),
        "INDEX_FOLLOW": "thread",  # nothing starts the follower: no index writes
        "JOBS_IMMEDIATE": False,
        "JOBS_SQLITE_PATH": str(tmp / "jobs.sqlite"),
        "MAX_UPLOAD_MB": 200,
    }


def use_baseline(engine: Any, mode: str) -> None:
    """Replace the Hub's SQLite transaction start with a baseline, for the benchmark's
    comparison. ``deferred``: a plain BEGIN at the transaction's first statement, reads
    included (SQLAlchemy's documented pysqlite recipe). ``driver``: Python's sqlite3 default,
    a plain BEGIN just before the first data change."""
    if mode == "hub" or engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _baseline(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None if mode == "deferred" else ""

    if mode == "deferred":

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:
            conn.exec_driver_sql("BEGIN")


def is_locked(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and "database is locked" in str(error)


def _wait_for(go: Path) -> None:
    deadline = time.monotonic() + 120
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go signal")
        time.sleep(0.01)


def contend(job: dict[str, Any]) -> dict[str, Any]:
    """``transactions`` read-modify-write transactions on one document, each repeated until it
    succeeds, as a person re-saving after a conflict would. Counts what went wrong on the way."""
    from hub import create_app, database
    from hub.accounts.models import User
    from hub.documents import editing
    from hub.documents.models import Document
    from hub.errors import Conflict
    from hub.extensions import db

    app = create_app(worker_config(job["database_url"], Path(job["tmp"])))
    counts = {"committed": 0, "locked": 0, "conflicts": 0, "retried": 0, "gave_up": 0}
    with app.app_context():
        use_baseline(db.engine, job["begin"])
        editor = db.session.get(User, job["user_id"])
        _wait_for(Path(job["go"]))
        for _n in range(job["transactions"]):
            for _attempt in range(1000):
                try:
                    if job["scenario"] == "edit":
                        _edit_once(db, editing, Document, job["document_id"], editor)
                    elif job["begin"] == "hub":
                        database.write_transaction(lambda: _count_once(db, Document, job))
                    else:
                        db.session.rollback()
                        _count_once(db, Document, job)
                    counts["committed"] += 1
                    break
                except (Conflict, StaleDataError):  # a versioned row changed since read
                    db.session.rollback()
                    counts["conflicts"] += 1
                except OperationalError as error:
                    db.session.rollback()
                    if is_locked(error):
                        counts["locked"] += 1
                    elif database.is_retryable(error):
                        counts["retried"] += 1
                    else:
                        raise
            else:
                counts["gave_up"] += 1
        db.session.remove()
    return counts


def _edit_once(db: Any, editing: Any, document: Any, document_id: int, editor: Any) -> None:
    """Read the document, add one to the counter in its body, save through the service with
    the version that was read (its optimistic locking)."""
    db.session.rollback()
    doc = db.session.get(document, document_id)
    count = int(doc.body.rsplit(" ", 1)[1])
    data = editing.DocumentInput(
        title=doc.title, summary=doc.summary, body=f"count {count + 1}",
        language=doc.language, country=doc.country.iso3 if doc.country else None,
        visibility=doc.visibility,
    )  # fmt: skip
    editing.update(doc, data, expected_version=doc.version, by=editor)


def _count_once(db: Any, document: Any, job: dict[str, Any]) -> None:
    """Read a number, write it plus one, in one transaction."""
    doc = db.session.get(document, job["document_id"])
    doc.position = doc.position + 1
    db.session.commit()


def upload(job: dict[str, Any]) -> dict[str, Any]:
    """Attach ``job["pdf"]`` to a document again and again through the service, until killed."""
    from hub import create_app
    from hub.accounts.models import User
    from hub.documents import editing
    from hub.documents.models import Document
    from hub.extensions import db

    app = create_app(worker_config(job["database_url"], Path(job["tmp"])))
    with app.app_context(), app.test_request_context():
        editor = db.session.get(User, job["user_id"])
        doc = db.session.get(Document, job["document_id"])
        Path(job["ready"]).touch()
        for n in range(job.get("uploads", 10**6)):
            editing.attach_pdf(doc, Path(job["pdf"]), f"upload-{os.getpid()}-{n}.pdf", by=editor)
    return {"done": True}


def extract(job: dict[str, Any]) -> dict[str, Any]:
    """Extract the text of every pending attachment through the job's own function."""
    from sqlalchemy import select

    from hub import create_app
    from hub.documents.editing import extract_pending
    from hub.documents.models import Attachment, ExtractionStatus
    from hub.extensions import db

    app = create_app(worker_config(job["database_url"], Path(job["tmp"])))
    with app.app_context():
        pending = db.session.scalars(
            select(Attachment.id).where(Attachment.extraction_status == ExtractionStatus.PENDING)
        ).all()
        db.session.remove()
    Path(job["ready"]).touch()
    for attachment_id in pending:
        extract_pending(app, attachment_id)
    return {"extracted": len(pending)}


def spawn(job: dict[str, Any]) -> subprocess.Popen:
    """Start a worker process running ``job``, in a process group of its own (so a kill
    reaches the extraction child it may have started, too)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.security.durability", json.dumps(job)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill_during(job: dict[str, Any], *, after: float) -> None:
    """Run ``job`` and SIGKILL its whole process group ``after`` seconds after it is ready."""
    ready = Path(job["ready"])
    ready.unlink(missing_ok=True)
    worker = spawn(job)
    deadline = time.monotonic() + 120
    while not ready.exists() and worker.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(after)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    _out, err = worker.communicate(timeout=60)
    if worker.returncode not in (-signal.SIGKILL, 0):
        raise RuntimeError(f"worker failed before the kill:\n{err[-3000:]}")


def check_stored_files() -> dict[str, int]:
    """Every attachment row against its file: missing, wrong size or wrong checksum. Also the
    temporary files kills left behind, and complete files no row refers to."""
    from sqlalchemy import select

    from hub.documents import files
    from hub.documents.models import Attachment
    from hub.extensions import db
    from hub.files import is_partial

    rows = db.session.execute(
        select(Attachment.stored_name, Attachment.size, Attachment.sha256)
    ).all()
    bad = 0
    for stored_name, size, sha256 in rows:
        path = files.path_for(stored_name)
        if not path.is_file() or path.stat().st_size != size or files.sha256_of(path) != sha256:
            bad += 1
    root = files.attachments_root()
    on_disk = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
    referenced = {name for name, _size, _sha in rows}
    return {
        "rows": len(rows),
        "bad_referenced_files": bad,
        "partial_files": sum(1 for p in on_disk if is_partial(p)),
        "orphan_files": sum(1 for p in on_disk if not is_partial(p) and p.name not in referenced),
    }


def run_contention(
    *,
    database_url: str,
    tmp: Path,
    document_id: int,
    user_id: int,
    processes: int,
    transactions: int,
    scenario: str,
    begin: str = "hub",
    timeout: float = 900,
) -> dict[str, int]:
    """``processes`` workers × ``transactions`` read-modify-writes; their counts, summed."""
    go = tmp / f"go-{scenario}-{begin}"
    go.unlink(missing_ok=True)
    job = {
        "job": "contend",
        "database_url": database_url,
        "tmp": str(tmp),
        "go": str(go),
        "document_id": document_id,
        "user_id": user_id,
        "transactions": transactions,
        "scenario": scenario,
        "begin": begin,
    }
    workers = [spawn(job) for _ in range(processes)]
    time.sleep(0.5)
    go.touch()
    total: dict[str, int] = {}
    for worker in workers:
        out, err = worker.communicate(timeout=timeout)  # liveness only
        if worker.returncode != 0:
            raise RuntimeError(f"contention worker failed:\n{err[-3000:]}")
        for key, value in json.loads(out.strip().splitlines()[-1]).items():
            total[key] = total.get(key, 0) + value
    return total


def main() -> None:
    job = json.loads(sys.argv[1])
    report = {"contend": contend, "upload": upload, "extract": extract}[job["job"]](job)
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
