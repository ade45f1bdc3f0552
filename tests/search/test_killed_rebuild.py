"""A rebuild killed with SIGKILL must not block publishing, and leaves nothing behind for long.

A real ``flask hub reindex`` process is stopped in the middle of its parallel build (its worker
processes running) and killed. Before, its workers lived on holding the host lock and the live
index's write lock: every publish waited the lock timeout and stayed unsearchable. Now the workers
close the inherited lock descriptors and die with the rebuild, a lock whose holder is gone from
this host is broken, and killed builds are swept. Processes are found through /proc.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from hub.documents.models import Document, Kind, Status, Visibility
from hub.extensions import db
from hub.search import indexing
from hub.search.engine import HolderLock, lock_events
from hub.search.query import SearchRequest, search
from hub.search.store import BUILD_PREFIX, IndexStore
from tests import factories
from tests.search._processes import PROJECT_DIR, alive, children_of, command, with_argument

FLASK = str(Path(sys.executable).with_name("flask"))
DOCUMENTS = 300
# Liveness bounds only (a loaded machine is slow); nothing here asserts a duration.
LIVENESS_SECONDS = 60


def wait_until(predicate, seconds: float = LIVENESS_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def seed(count: int, start: int = 0) -> None:
    ghana = factories.country("GHA")
    for n in range(start, start + count):
        db.session.add(Document(
            kind=Kind.POLICY_BRIEF, slug=f"seeded-{n}", title=f"Seeded roadmap {n}",
            summary=f"Seeded summary {n}.", body=f"Seeded body about water and energy {n}.",
            language="en", country=ghana, status=Status.PUBLISHED,
            visibility=Visibility.PUBLIC, published_on=date(2025, 3, 1),
        ))  # fmt: skip
    db.session.commit()  # inline following: this host builds its index


def builds(store: IndexStore) -> list[Path]:
    return sorted(store.root.glob(f"{BUILD_PREFIX}*"))


def titles(q: str) -> list[str]:
    return sorted(hit.title for hit in search(SearchRequest(q), viewer=None).hits)


@pytest.fixture
def host(app: Flask) -> Flask:
    app.config.update(INDEX_HOST_NAME="a", INDEX_WRITER_TIMEOUT=LIVENESS_SECONDS)
    seed(3)
    lock_events.clear()
    return app


def start_reindex(app: Flask, database_url: str, tmp: Path) -> subprocess.Popen:
    """``flask hub reindex`` on this host's index folder, building in 2 processes even for a
    few hundred documents. The folder's path, in the command line, marks its processes."""
    overrides = {
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "INDEX_REBUILD_PARALLEL_FROM": 50,
        "INDEX_REBUILD_PROCS": 2,
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_DATABASE_URL=database_url,
        HUB_INDEX_HOST="a",
        HUB_DATA_DIR=str(tmp / "data"),
        HUB_AUDIT_LOG=str(tmp / "audit-reindex.log"),
        HUB_SECRET_KEY="reindex-secret-key-that-is-long-enough-0123456789",
    )
    return subprocess.Popen(
        [FLASK, "--app", f"hub:create_app({overrides!r})", "hub", "reindex"],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def test_killed_reindex_leaves_no_workers_and_the_next_publish_takes_the_lock_at_once(
    host, database_url, tmp_path, runner
):
    seed(DOCUMENTS, start=3)
    lock_events.clear()
    store = indexing.get_store()
    live_before = store.current_name()
    marker = host.config["SEARCH_INDEX_DIR"]
    reindex = start_reindex(host, database_url, tmp_path)
    try:
        # Mid-build: its workers run and its build folder exists. Stopping the rebuild there
        # (SIGSTOP) keeps it from finishing before the kill.
        assert wait_until(lambda: children_of(reindex.pid) and builds(store)), "no workers"
        reindex.send_signal(signal.SIGSTOP)
        workers = children_of(reindex.pid)
        assert workers and builds(store) and store.current_name() == live_before
        reindex.send_signal(signal.SIGKILL)
        reindex.wait(LIVENESS_SECONDS)
    finally:
        if reindex.poll() is None:
            reindex.kill()
    leftover_mb = sum(f.stat().st_size for b in builds(store) for f in b.rglob("*")) / 1e6

    assert wait_until(lambda: not with_argument(marker))
    orphans = with_argument(marker)
    assert orphans == [], "a killed rebuild's workers outlived it"

    doc = factories.document(title="Published after the killed rebuild")
    assert titles("killed rebuild") == ["Published after the killed rebuild"]
    # Taken at the first attempt: not waited for, not broken, never the timeout path.
    assert lock_events["contended"] == 0
    assert lock_events["broken"] == 0
    assert lock_events["timed_out"] == 0
    assert builds(store), "the killed build's folder was there to sweep"

    result = runner.invoke(args=["hub", "check-index"])
    assert result.exit_code == 0, result.output
    assert "missing 0, extra 0, stale 0" in result.output
    assert "removed" in result.output
    assert builds(store) == []
    assert store.current_name() == live_before
    print(
        f"\nkilled reindex: {len(workers)} workers, orphans {len(orphans)}, lock waits "
        f"{lock_events['contended']}, leftover {leftover_mb:.2f} MB swept by check-index; "
        f"document {doc.id} searchable"
    )


def test_lock_of_a_gone_holder_still_open_in_its_child_is_broken(host, tmp_path):
    """As a killed rebuild's workers from before the fix did: the live index's write lock held
    only by a process the dead writer forked. The next catch-up breaks it instead of waiting."""
    store = indexing.get_store()
    lock_path = store.root / store.current_name() / "MAIN_WRITELOCK"
    out = subprocess.run(
        command("orphan", lock=str(lock_path)),
        cwd=PROJECT_DIR, capture_output=True, text=True, check=True, timeout=LIVENESS_SECONDS,
    )  # fmt: skip
    orphan = int(out.stdout.split()[-1])
    try:
        assert alive(orphan)
        with open(lock_path) as fh, pytest.raises(BlockingIOError):
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the orphan's copy holds it
        lock_events.clear()
        factories.document(title="Published past a dead writer's lock")
        assert titles("dead writer") == ["Published past a dead writer's lock"]
        assert lock_events["broken"] == 1
        assert lock_events["timed_out"] == 0
        assert indexing.check().ok
    finally:
        os.kill(orphan, signal.SIGKILL)


def test_lock_of_a_live_holder_is_never_broken(host, tmp_path):
    lock_path = tmp_path / "held.lock"
    holder = subprocess.Popen(
        command("hold", lock=str(lock_path)), cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        lock_events.clear()
        with pytest.raises(TimeoutError, match=str(holder.pid)):
            HolderLock(lock_path).acquire_within(0.3)
        assert lock_events["broken"] == 0
        assert lock_events["timed_out"] == 1
    finally:
        holder.kill()
        holder.wait()
    # Once the holder has ended, the kernel released the lock: taken at once.
    lock = HolderLock(lock_path)
    assert lock.acquire()
    lock.release()


def killed_build(store: IndexStore) -> Path:
    """A build folder started by a process that then ended without finishing it (forked:
    quicker than starting an interpreter)."""
    before = set(builds(store))
    child = os.fork()
    if child == 0:
        try:
            store.create_generation()
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    (made,) = set(builds(store)) - before
    return made


def test_sweep_removes_a_killed_build_but_never_one_in_progress_or_the_live_index(host):
    store = indexing.get_store()
    killed = killed_build(store)
    in_progress, _ix = store.create_generation()  # this process is alive: in use
    live = store.current_name()
    assert indexing.sweep() > 0
    assert not killed.exists()
    assert in_progress.exists()
    assert store.current_name() == live and (store.root / live).exists()
    assert indexing.check().ok


def test_startup_check_and_rebuild_sweep_killed_builds(host):
    store = indexing.get_store()
    killed_build(store)
    killed_build(store)
    assert len(builds(store)) == 2
    indexing.startup_check()
    assert builds(store) == []
    killed_build(store)
    old = store.current_name()
    indexing.rebuild()
    assert builds(store) == []
    assert (
        [p.name for p in store.root.iterdir() if p.name.startswith("v")]
        == [store.current_name()]
        != [old]
    )
