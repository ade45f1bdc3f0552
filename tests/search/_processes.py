"""Real processes for the index durability tests (and bench/index_durability.py).

Run as ``python -m tests.search._processes <command> <json arguments>`` from the project folder:

``save``   savers, forked processes each with the app in ``INDEX_FOLLOW = "inline"`` (so each
           save writes the index in that process, concurrently with the others), saving edits
           through ``hub.documents.editing.update``; prints a JSON summary per saver.
``crash``  edits through the same service function in forked processes, each ended
           (``os._exit``) at a fault point between the database commit and the index commit.
``hold``   holds a lock while it lives.
``orphan`` takes a lock the way a writer does, forks a child that keeps the descriptor (as a
           rebuild's worker did before it closed its copies) and exits: a gone holder whose lock
           is still held. Prints the child's pid.

It also holds the /proc helpers the tests use to find processes (no psutil).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def app_config(args: dict) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": args["database_url"],
        "SEARCH_INDEX_DIR": args["index_dir"],
        "DATA_DIR": args["data_dir"],
        "AUDIT_LOG": str(Path(args["data_dir"]) / "audit.log"),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "CHECK_INDEX_ON_START": False,
        "INDEX_FOLLOW": "inline",
        "INDEX_HOST_NAME": args["host"],
        "INDEX_HEARTBEAT_SECONDS": 0,
        **args.get("config", {}),
    }


def command(name: str, **args: object) -> list[str]:
    return [sys.executable, "-m", "tests.search._processes", name, json.dumps(args)]


class _Counting(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _edit(doc_id: int, title: str, editor_email: str) -> bool:
    from sqlalchemy import select

    from hub.accounts.models import User
    from hub.documents import editing
    from hub.documents.models import Document
    from hub.extensions import db

    editor = db.session.scalar(select(User).where(User.email == editor_email))
    doc = db.session.get(Document, doc_id, populate_existing=True)
    data = editing.DocumentInput(
        title=title, summary=doc.summary, body=doc.body, language=doc.language,
        goals=[g.number for g in doc.goals], targets=[t.code for t in doc.targets],
        areas=list(doc.areas), tags=[t.name for t in doc.tags], visibility=doc.visibility,
    )  # fmt: skip
    return editing.update(doc, data, expected_version=doc.version, by=editor)


def _save_loop(args: dict, ids: list[int], prefix: str) -> dict:
    from hub import create_app
    from hub.extensions import db

    failures = _Counting()
    logging.getLogger("hub").addHandler(failures)
    app = create_app(app_config(args))
    surfaced: list[str] = []
    with app.app_context():
        for n in range(args["saves"]):
            try:
                _edit(ids[n % len(ids)], f"{prefix} save {n}", args["editor"])
            except Exception as exc:
                db.session.rollback()
                surfaced.append(f"{type(exc).__name__}: {exc}")
        db.session.remove()
    return {"surfaced": surfaced, "logged_errors": failures.count}


def _forked(run: object) -> tuple[int, bytes]:
    """Run ``run()`` in a forked child (the interpreter and imports are already warm); returns
    its pid and the read end of a pipe carrying what it returned, as JSON."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        status = 0
        try:
            os.write(write, json.dumps(run()).encode())
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write)
    return pid, read


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def save(args: dict) -> None:
    """One saver process per list in ``args["savers"]``, all at once, each doing
    ``args["saves"]`` edits round-robin over its own documents (no two savers edit one
    document, so no save is refused as a conflict). Prints one JSON summary per saver."""
    import hub.documents.editing  # noqa: F401 - imported once, before the savers fork

    children = [
        _forked(lambda ids=ids, n=n: _save_loop(args, ids, f"Saver {n}"))
        for n, ids in enumerate(args["savers"])
    ]
    results = []
    for pid, fd in children:
        out = _read_all(fd)
        _pid, status = os.waitpid(pid, 0)
        results.append(json.loads(out) if out else {"exit_status": status})
    print(json.dumps(results), flush=True)


def _crash_once(args: dict, job: dict) -> None:
    from hub import create_app

    config = {"INDEX_FAULTS": {job["point"]}, "INDEX_FAULT_EXIT": True, **job.get("config", {})}
    app = create_app({**app_config(args), **config})
    with app.app_context():
        _edit(job["doc_id"], job["title"], args["editor"])


def crash(args: dict) -> None:
    """For each JSON line on stdin ({point, doc_id, title, config}): a forked process edits the
    document with that fault point set to end it (``os._exit``); prints its exit status (0: the
    save returned) and waits for the next line, so the caller can replay in between."""
    import hub.documents.editing  # noqa: F401

    for line in sys.stdin:
        job = json.loads(line)
        pid, fd = _forked(lambda job=job: _crash_once(args, job))
        _read_all(fd)
        _pid, status = os.waitpid(pid, 0)
        print(json.dumps({"exit_status": os.waitstatus_to_exitcode(status)}), flush=True)


def orphan(args: dict) -> None:
    from hub.search.engine import HolderLock

    lock = HolderLock(args["lock"])
    if not lock.acquire():
        sys.exit("the lock was held")
    child = os.fork()
    if child == 0:  # keeps its copy of the locked descriptor, and lingers
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # not the caller's pipes: it reads until they close
            os.dup2(devnull, fd)
        time.sleep(args.get("linger", 120))
        os._exit(0)
    print(child, flush=True)
    os._exit(0)  # the holder is gone; its child still has the file open


def hold(args: dict) -> None:
    """Hold a lock while alive (a live writer)."""
    from hub.search.engine import HolderLock

    lock = HolderLock(args["lock"])
    if not lock.acquire():
        sys.exit("the lock was held")
    print("locked", flush=True)
    time.sleep(args.get("linger", 120))


# --- finding processes through /proc ---


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (gone and zombie processes are not alive)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def with_argument(marker: str) -> list[int]:
    """Running processes whose command line holds ``marker`` (a forked worker keeps its
    parent's command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            if marker in cmdline and alive(int(entry.name)):
                found.append(int(entry.name))
    return found


if __name__ == "__main__":
    COMMANDS = {"save": save, "crash": crash, "orphan": orphan, "hold": hold}
    COMMANDS[sys.argv[1]](json.loads(sys.argv[2]))
