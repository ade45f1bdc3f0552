"""The index under concurrent writers, during rebuilds, and at crashes between the database
commit and the index commit; after every scenario it is reconciled with the database
(missing/extra/stale 0/0/0). Bounded versions; bench/index_durability.py runs the full sizes.

Crashes raised in-process at the first two fault points are also covered by test_indexing.py;
here every point is crossed by a real process ending with ``os._exit``, and then replayed.
"""

from __future__ import annotations

import json
import subprocess
import threading
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from hub.accounts.models import Role
from hub.documents.models import Document, Kind, Status, Visibility
from hub.extensions import db
from hub.search import changelog, indexing
from hub.search.engine import lock_events
from hub.search.query import SearchRequest, search
from tests import factories
from tests.search._processes import PROJECT_DIR, command
from tests.search.test_follower import following

SAVERS = 4
SAVES_EACH = 8
LIVENESS_SECONDS = 120


def seed(count: int, prefix: str = "seeded") -> list[int]:
    ghana = factories.country("GHA")
    docs = [
        Document(
            kind=Kind.POLICY_BRIEF, slug=f"{prefix}-{n}", title=f"Seeded roadmap {n}",
            summary=f"Seeded summary {n}.", body=f"Seeded body about water and energy {n}.",
            language="en", country=ghana, status=Status.PUBLISHED,
            visibility=Visibility.PUBLIC, published_on=date(2025, 3, 1),
        )
        for n in range(count)
    ]  # fmt: skip
    db.session.add_all(docs)
    db.session.commit()
    return [d.id for d in docs]


def reconciled() -> tuple[int, int, int]:
    report = indexing.check()
    return len(report.missing), len(report.extra), len(report.stale)


def indexed_titles() -> dict[int, str]:
    with indexing.get_store().searcher() as searcher:
        return {int(f["id"]): f["title"] for f in searcher.all_stored_fields()}


def entries() -> dict[str, dict]:
    with indexing.get_store().searcher() as searcher:
        return {f["id"]: f for f in searcher.all_stored_fields()}


def process_args(app: Flask, tmp: Path, editor: str, **more: object) -> dict:
    return {
        "database_url": app.config["SQLALCHEMY_DATABASE_URI"],
        "index_dir": app.config["SEARCH_INDEX_DIR"],
        "data_dir": str(tmp / "data"),
        "host": app.config["INDEX_HOST_NAME"],
        "editor": editor,
        **more,
    }


def replayed(doc_id: int, title: str) -> bool:
    """After a crash: the database commit held; a catch-up (the replay) makes the index
    consistent."""
    db.session.remove()
    assert db.session.get(Document, doc_id).title == title
    indexing.catch_up()
    return reconciled() == (0, 0, 0) and indexed_titles()[doc_id] == title


@pytest.fixture
def host(app: Flask) -> Flask:
    app.config.update(INDEX_HOST_NAME="a", INDEX_HEARTBEAT_SECONDS=0)
    return app


def test_concurrent_savers_and_the_follower_surface_no_lock_errors_and_miss_nothing(host, tmp_path):
    """T-22: 4 processes save edits through editing.update, each writing the index itself
    (inline), while this host's follower thread writes the same index."""
    ids = seed(SAVERS * 3)
    editor = factories.user(role=Role.EDITOR)
    host.config.update(INDEX_FOLLOW="thread", INDEX_FOLLOW_INTERVAL=0.05)
    lock_events.clear()
    with following(host):
        args = process_args(
            host, tmp_path, editor.email, saves=SAVES_EACH,
            savers=[ids[n * 3 : n * 3 + 3] for n in range(SAVERS)],
        )  # fmt: skip
        done = subprocess.run(
            command("save", **args), cwd=PROJECT_DIR, capture_output=True, text=True,
            timeout=LIVENESS_SECONDS, check=True,
        )  # fmt: skip
        results = json.loads(done.stdout)
        # The follower applies whatever a saver's own catch-up left.
        db.session.remove()
        indexing.catch_up()
    surfaced = [e for r in results for e in r["surfaced"]]
    logged = sum(r["logged_errors"] for r in results)
    missing, extra, stale = reconciled()
    expected = {d.id: d.title for d in db.session.scalars(select(Document))}
    print(
        f"\nT-22: {SAVERS} processes x {SAVES_EACH} saves with the follower running: errors "
        f"surfaced {len(surfaced)}, index errors logged {logged}, missing {missing}, extra "
        f"{extra}, stale {stale}; lock waits here {lock_events['contended']}"
    )
    assert surfaced == []
    assert logged == 0
    assert (missing, extra, stale) == (0, 0, 0)
    assert indexed_titles() == expected
    assert all(expected[i].startswith("Saver ") for i in ids)  # every document was saved


def test_searches_during_a_parallel_rebuild_never_fail_or_miss(host, tmp_path):
    """T-23: a thread searches in a loop while a rebuild (2 processes) builds and swaps."""
    count = 300
    seed(count)
    host.config.update(INDEX_REBUILD_PARALLEL_FROM=50, INDEX_REBUILD_PROCS=2)
    stop = threading.Event()
    outcomes = {"searches": 0, "failed": 0, "wrong_total": 0}

    def search_in_a_loop() -> None:
        with host.app_context():
            while not stop.is_set():
                try:
                    total = search(SearchRequest("seeded water"), viewer=None).total
                    outcomes["wrong_total"] += total != count
                except Exception:
                    outcomes["failed"] += 1
                outcomes["searches"] += 1
                db.session.remove()

    searching = threading.Thread(target=search_in_a_loop)
    searching.start()
    try:
        report = indexing.rebuild(reason="test: searches during a rebuild")
    finally:
        stop.set()
        searching.join(LIVENESS_SECONDS)
    missing, extra, stale = reconciled()
    print(
        f"\nT-23: rebuild of {report.documents} documents at "
        f"{report.documents / report.seconds:.0f} docs/s; {outcomes['searches']} searches "
        f"during it, failed {outcomes['failed']}, "
        f"wrong totals {outcomes['wrong_total']}; missing {missing}, extra {extra}, stale {stale}"
    )
    assert report.documents == count
    assert outcomes["searches"] > 0
    assert outcomes["failed"] == 0
    assert outcomes["wrong_total"] == 0
    assert (missing, extra, stale) == (0, 0, 0)


def test_a_process_ended_at_each_point_between_db_and_index_commit_is_replayed(host, tmp_path):
    """T-26: a saving process ends (``os._exit``) right after its database commit (no index
    work), before the index commit, after it, and after the position write; a replay then makes
    the index consistent at every point. Then every change is applied a second time, which
    must change no entry."""
    ids = seed(len(indexing.FAULT_POINTS) + 1)
    editor = factories.user(role=Role.EDITOR)
    joined = indexing.current_position()
    points = ("after_db_commit", *indexing.FAULT_POINTS)
    consistent = 0
    crasher = subprocess.Popen(
        command("crash", **process_args(host, tmp_path, editor.email)),
        cwd=PROJECT_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for doc_id, point in zip(ids, points, strict=True):
            title = f"Crashed at {point}"
            config = {"INDEX_FOLLOW": "thread"} if point == "after_db_commit" else {}
            job = {"point": point, "doc_id": doc_id, "title": title, "config": config}
            crasher.stdin.write(json.dumps(job) + "\n")
            crasher.stdin.flush()
            status = json.loads(crasher.stdout.readline())["exit_status"]
            # after_db_commit: committed, then ended before any index work; the others
            # ended at the fault point inside the save's own catch-up.
            assert status == (0 if point == "after_db_commit" else indexing.FAULT_EXIT_STATUS)
            consistent += replayed(doc_id, title)
    finally:
        crasher.stdin.close()
        crasher.wait(LIVENESS_SECONDS)
    before = entries()
    changelog.write_position(
        indexing.get_store().root / indexing.get_store().current_name(), joined
    )
    assert indexing.check().pending >= len(points)
    indexing.catch_up()  # every change row since the start, a second time
    after = entries()
    changed = sum(before[i] != after.get(i) for i in before) + len(set(after) - set(before))
    print(
        f"\nT-26: consistent after replay at {consistent}/{len(points)} crash points; "
        f"a second application of every change changed {changed} entries"
    )
    assert consistent == len(points)
    assert changed == 0
    assert reconciled() == (0, 0, 0)
