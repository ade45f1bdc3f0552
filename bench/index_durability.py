"""The index's durability under killed rebuilds, concurrent writers and crashes, with figures.

Phases (each on a fresh SQLite database and index folder, docs/deployment.md):

killed   a real ``flask --app wsgi hub reindex`` is killed with SIGKILL in the middle of its build;
         then: its worker processes still alive, how long the next publish waited for the index
         lock (and whether it hit the lock timeout), the build folders left behind (MB), and the
         same after a follower start-up check.
T-22     4 processes x 50 content saves through the service functions while a follower thread
         applies the log: lock errors surfaced to the savers, documents missing from the index.
T-23     index/DB reconciliation (missing/extra/stale) after a rebuild, the rebuild rate, and
         searches failing while a rebuild runs (a thread searching in a loop).
T-26     a subprocess killed (os._exit) at each fault point between the database commit and the
         index commit, then a replay: consistent points out of all; every change applied twice:
         how many times the second application changed the index.

    nice -n 10 .venv/bin/python bench/index_durability.py             # full sizes
    nice -n 10 .venv/bin/python bench/index_durability.py --phase killed --docs 3000
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from hub import create_app  # noqa: E402
from hub.accounts.models import Role, User  # noqa: E402
from hub.countries.models import Country  # noqa: E402
from hub.countries.reference import load_countries  # noqa: E402
from hub.documents.models import Document, Kind, Status, Visibility  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.sdg.reference import load_sdgs  # noqa: E402
from hub.search import changelog, follower, indexing  # noqa: E402
from hub.search.engine import lock_events  # noqa: E402
from hub.search.query import SearchRequest, search  # noqa: E402
from tests.search._processes import alive, children_of, command  # noqa: E402

REFERENCE = ROOT / "content" / "reference"
# fmt: off
WORDS = [
    "science", "technology", "innovation", "roadmap", "policy", "energy", "water", "health",
    "education", "finance", "agriculture", "climate", "digital", "industry", "research",
    "capacity", "partnership", "data", "monitoring", "investment", "skills", "manufacturing",
]
# fmt: on


def brief(n: int, country: Country) -> Document:
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(120)]
    body = "\n\n".join(" ".join(words[i : i + 40]).capitalize() + "." for i in (0, 40, 80))
    return Document(
        kind=Kind.POLICY_BRIEF, slug=f"durability-brief-{n}", title=f"Roadmap brief {n}",
        summary=f"Summary of roadmap brief {n}.", body=body, language="en", country=country,
        status=Status.PUBLISHED, visibility=Visibility.PUBLIC, published_on=date(2025, 3, 1),
    )  # fmt: skip


def host_env(tmp: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_DATABASE_URL=database_url,
        HUB_INDEX_DIR=str(tmp / "index"),
        HUB_INDEX_HOST="a",
        HUB_DATA_DIR=str(tmp / "data"),
        HUB_AUDIT_LOG=str(tmp / "audit.log"),
        HUB_SECRET_KEY="bench-durability-secret-key-long-enough-0123456789",  # noqa: S106
    )
    return env


def make_app(tmp: Path, docs: int, **config: object):
    """A migrated SQLite database with ``docs`` published briefs and a caught-up index."""
    database_url = f"sqlite:///{tmp / 'hub.db'}"
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url, "SEARCH_INDEX_DIR": str(tmp / "index"),
        "DATA_DIR": str(tmp / "data"), "AUDIT_LOG": str(tmp / "audit.log"),
        "SECRET_KEY": "bench-durability-secret-key-long-enough-0123456789",
        "INDEX_HOST_NAME": "a", "INDEX_FOLLOW": "thread", **config,
    })  # fmt: skip
    with app.app_context():
        upgrade()
        load_sdgs(REFERENCE / "sdg")
        load_countries(REFERENCE / "m49_regions.csv")
        ghana = db.session.scalar(select(Country).where(Country.iso3 == "GHA"))
        for n in range(docs):
            db.session.add(brief(n, ghana))
        db.session.commit()
        indexing.catch_up()
        db.session.remove()
    return app, database_url


def folder_mb(root: Path, prefix: str) -> float:
    size = 0
    for folder in root.glob(f"{prefix}*"):
        size += sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return size / 1e6


def killed(tmp: Path, args: argparse.Namespace) -> dict[str, object]:
    """SIGKILL a real reindex mid-build, then publish on the same index folder."""
    app, database_url = make_app(tmp, args.docs)
    index_dir = tmp / "index"
    out = open(tmp / "reindex.log", "w")  # noqa: SIM115
    reindex = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "hub", "reindex"],
        cwd=ROOT, env=host_env(tmp, database_url), stdout=out, stderr=subprocess.STDOUT,
    )  # fmt: skip
    # Mid-build: its workers have started and the build folder holds some of their files.
    deadline = time.monotonic() + 300
    workers: list[int] = []
    while time.monotonic() < deadline and reindex.poll() is None:
        workers = children_of(reindex.pid)
        if workers and folder_mb(index_dir, ".build-") > 0.5:
            break
        time.sleep(0.05)
    reindex.send_signal(signal.SIGKILL)
    reindex.wait()
    out.close()
    figures: dict[str, object] = {"documents": args.docs, "workers_before_kill": len(workers)}
    time.sleep(1.0)
    figures["orphans_after_kill"] = sum(alive(pid) for pid in workers)
    figures["leftover_build_mb"] = folder_mb(index_dir, ".build-")
    with app.app_context():
        ghana = db.session.scalar(select(Country).where(Country.iso3 == "GHA"))
        doc = brief(args.docs, ghana)
        db.session.add(doc)
        db.session.commit()
        started = time.perf_counter()
        try:
            indexing.catch_up()
            figures["publish_outcome"] = "applied"
        except Exception as exc:
            figures["publish_outcome"] = f"{type(exc).__name__}: {exc}"
        figures["publish_wait_seconds"] = time.perf_counter() - started
        with indexing.get_store().searcher() as searcher:
            figures["published_doc_searchable"] = searcher.document(id=str(doc.id)) is not None
        figures["orphans_after_publish"] = sum(alive(pid) for pid in workers)
        try:
            indexing.startup_check()
            figures["startup_check"] = "ok"
            figures["missing/extra/stale"] = reconciled()
        except Exception as exc:
            figures["startup_check"] = f"{type(exc).__name__}: {exc}"
        figures["leftover_build_mb_after_startup_check"] = folder_mb(index_dir, ".build-")
        db.session.remove()
    for pid in workers:  # the bench cleans up after the old behaviour
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    return figures


def reconciled() -> str:
    report = indexing.check()
    return f"{len(report.missing)}/{len(report.extra)}/{len(report.stale)}"


def editor_email() -> str:
    user = User(email="editor@example.org", name="Editor", role=Role.EDITOR)
    db.session.add(user)
    db.session.commit()
    return user.email


def process_args(app, tmp: Path, editor: str, **more: object) -> dict:
    return {
        "database_url": app.config["SQLALCHEMY_DATABASE_URI"],
        "index_dir": app.config["SEARCH_INDEX_DIR"], "data_dir": str(tmp / "data"),
        "host": app.config["INDEX_HOST_NAME"], "editor": editor, **more,
    }  # fmt: skip


def concurrent_writers(tmp: Path, args: argparse.Namespace) -> dict[str, object]:
    """T-22: savers in separate processes write the index inline while the follower runs."""
    per_saver = 5
    app, _url = make_app(tmp, args.processes * per_saver, INDEX_FOLLOW_INTERVAL=0.2)
    figures: dict[str, object] = {}
    with app.app_context():
        editor = editor_email()
        ids = sorted(db.session.scalars(select(Document.id)))
        lock_events.clear()
        running = follower.start(app)
        running.started_up.wait(120)
        started = time.perf_counter()
        done = subprocess.run(
            command("save", **process_args(
                app, tmp, editor, saves=args.saves,
                savers=[ids[n * per_saver : (n + 1) * per_saver] for n in range(args.processes)],
            )),
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        running.stop()
        running.join(60)
        results = json.loads(done.stdout)
        indexing.catch_up()
        figures["saves"] = args.processes * args.saves
        figures["saves_per_second"] = args.processes * args.saves / seconds
        figures["errors_surfaced_to_savers"] = sum(len(r["surfaced"]) for r in results)
        figures["index_errors_logged_by_savers"] = sum(r["logged_errors"] for r in results)
        figures["lock_waits_in_follower_process"] = lock_events["contended"]
        figures["lock_timeouts_in_follower_process"] = lock_events["timed_out"]
        figures["missing/extra/stale"] = reconciled()
        db.session.remove()
    return figures


def searches_during_rebuild(tmp: Path, args: argparse.Namespace) -> dict[str, object]:
    """T-23: a thread searches in a loop while a full rebuild builds and swaps."""
    app, _url = make_app(tmp, args.docs)
    outcomes = {"searches": 0, "failed": 0, "wrong_total": 0}
    stop = threading.Event()

    def loop() -> None:
        with app.app_context():
            while not stop.is_set():
                try:
                    total = search(SearchRequest("roadmap brief"), viewer=None).total
                    outcomes["wrong_total"] += total != args.docs
                except Exception:
                    outcomes["failed"] += 1
                outcomes["searches"] += 1
                db.session.remove()

    with app.app_context():
        figures: dict[str, object] = {"missing/extra/stale before": reconciled()}
        searching = threading.Thread(target=loop)
        searching.start()
        try:
            report = indexing.rebuild(reason="bench: searches during a rebuild")
        finally:
            stop.set()
            searching.join(120)
        figures["documents"] = report.documents
        figures["rebuild_seconds"] = report.seconds
        figures["rebuild_docs_per_second"] = report.documents / report.seconds
        figures["searches_during_rebuild"] = outcomes["searches"]
        figures["searches_failed"] = outcomes["failed"]
        figures["searches_with_a_wrong_total"] = outcomes["wrong_total"]
        figures["missing/extra/stale after"] = reconciled()
        db.session.remove()
    return figures


def crash_points(tmp: Path, args: argparse.Namespace) -> dict[str, object]:
    """T-26: a saver ended (os._exit) at each point between the database commit and the index
    commit, then replayed; then every change applied a second time."""
    points = ("after_db_commit", *indexing.FAULT_POINTS)
    app, _url = make_app(tmp, len(points))
    figures: dict[str, object] = {}
    with app.app_context():
        editor = editor_email()
        ids = sorted(db.session.scalars(select(Document.id)))
        joined = indexing.current_position()
        crasher = subprocess.Popen(
            command("crash", **process_args(app, tmp, editor)),
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        consistent = 0
        for doc_id, point in zip(ids, points, strict=True):
            title = f"Crashed at {point}"
            config = {"INDEX_FOLLOW": "thread"} if point == "after_db_commit" else {}
            job = {"point": point, "doc_id": doc_id, "title": title, "config": config}
            crasher.stdin.write(json.dumps(job) + "\n")
            crasher.stdin.flush()
            status = json.loads(crasher.stdout.readline())["exit_status"]
            db.session.remove()
            committed = db.session.get(Document, doc_id).title == title
            indexing.catch_up()
            with indexing.get_store().searcher() as searcher:
                indexed = searcher.document(id=str(doc_id))["title"] == title
            ok = committed and indexed and reconciled() == "0/0/0"
            figures[f"{point}: exit status, consistent after replay"] = f"{status}, {ok}"
            consistent += ok
        crasher.stdin.close()
        crasher.wait(60)
        figures["consistent points"] = f"{consistent}/{len(points)}"
        store = indexing.get_store()
        with store.searcher() as searcher:
            before = {f["id"]: f for f in searcher.all_stored_fields()}
        changelog.write_position(store.root / store.current_name(), joined)
        indexing.catch_up()
        with store.searcher() as searcher:
            after = {f["id"]: f for f in searcher.all_stored_fields()}
        changed = sum(before[i] != after.get(i) for i in before) + len(set(after) - set(before))
        figures["entries changed by applying every change twice"] = changed
        figures["missing/extra/stale"] = reconciled()
        db.session.remove()
    return figures


PHASES = {
    "killed": killed,
    "T-22": concurrent_writers,
    "T-23": searches_during_rebuild,
    "T-26": crash_points,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", choices=("killed", "T-22", "T-23", "T-26"), action="append")
    parser.add_argument("--docs", type=int, default=2000, help="documents (killed, T-23)")
    parser.add_argument("--saves", type=int, default=50, help="saves per process (T-22)")
    parser.add_argument("--processes", type=int, default=4, help="saving processes (T-22)")
    args = parser.parse_args()
    os.nice(10)
    logging.basicConfig(level=logging.ERROR)
    for phase in args.phase or PHASES:
        with tempfile.TemporaryDirectory(prefix=f"hub-durability-{phase}-") as tmp:
            print(f"== {phase}", flush=True)
            figures = PHASES[phase](Path(tmp), args)
            for name, value in figures.items():
                shown = f"{value:.3f}" if isinstance(value, float) else value
                print(f"  {name}: {shown}", flush=True)


if __name__ == "__main__":
    main()
