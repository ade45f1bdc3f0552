"""Two real host processes on one database, each with its own index folder.

Host A is this test process (it publishes through the service layer and its own session); host B
is a separate ``flask --app wsgi hub follow`` process with its own ``HUB_INDEX_DIR``. The test
reads B's index folder directly, as B's web workers would. It runs on the suite's database:
SQLite by default, PostgreSQL when ``HUB_TEST_DATABASE_URL`` is set (``make test-postgres``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import update

from hub.dbtypes import utcnow
from hub.documents.models import Status
from hub.extensions import db
from hub.search import changelog, indexing
from hub.search.follower import prune_log
from hub.search.models import IndexHost
from hub.search.store import IndexStore
from tests import factories

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Generous: starting an interpreter and the app on a loaded machine can take this long.
START_SECONDS = 90


class HostProcess:
    """``flask --app wsgi hub follow`` as host "b", started and stopped by the test."""

    def __init__(self, database_url: str, tmp: Path) -> None:
        self.index_dir = tmp / "index-b"
        self.log_path = tmp / "host-b.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        self.env.update(
            HUB_DATABASE_URL=database_url,
            HUB_INDEX_DIR=str(self.index_dir),
            HUB_INDEX_HOST="b",
            HUB_INDEX_FOLLOW_INTERVAL="0.1",
            HUB_DATA_DIR=str(tmp / "data-b"),
            HUB_AUDIT_LOG=str(tmp / "audit-b.log"),
            HUB_SECRET_KEY="host-b-secret-key-that-is-long-enough-0123456789",
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "a")  # noqa: SIM115 - the child writes to it until stopped
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "hub", "follow"],
            cwd=PROJECT_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def title_of(self, doc_id: int) -> str | None:
        """What B's index says about this document (None: not in B's index)."""
        store = IndexStore(self.index_dir)
        if not store.exists():
            return None
        with store.searcher() as searcher:
            fields = searcher.document(id=str(doc_id))
        return fields["title"] if fields else None

    def position(self) -> changelog.Position | None:
        store = IndexStore(self.index_dir)
        name = store.current_name()
        return changelog.read_position(store.root / name) if name else None

    def wait_until(self, predicate, seconds: float) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            if predicate():
                return time.perf_counter() - started
            assert self.process is None or self.process.poll() is None, self.log()
            time.sleep(0.02)
        raise AssertionError(f"host b did not get there in {seconds} s:\n{self.log()}")


@pytest.fixture
def host_b(app: Flask, database_url: str, tmp_path: Path):
    app.config.update(INDEX_HOST_NAME="a", INDEX_HEARTBEAT_SECONDS=0)
    indexing.catch_up()
    b = HostProcess(database_url, tmp_path)
    try:
        yield b
    finally:
        b.stop()


def publish(title: str) -> int:
    """Publish through host A: a submitted brief made public, committed in A's session."""
    doc = factories.document(title=title, status=Status.SUBMITTED)
    doc.status = Status.PUBLISHED
    db.session.commit()
    return doc.id


def test_publish_on_a_is_searchable_on_b_which_catches_up_after_a_stop_and_rebuilds_after_a_prune(
    app, host_b
):
    host_b.start()
    host_b.wait_until(lambda: host_b.position() is not None, START_SECONDS)

    first = publish("Solar clinics")
    # Reaching B at all is what is tested; the two-second target is bench/two_hosts.py's figure.
    host_b.wait_until(lambda: host_b.title_of(first) == "Solar clinics", 30)

    host_b.stop()
    second = publish("Wind clinics")
    logged = len(host_b.log())
    host_b.start()
    host_b.wait_until(lambda: host_b.title_of(second) == "Wind clinics", START_SECONDS)
    assert "rebuilding" not in host_b.log()[logged:]  # caught up from the log, no rebuild
    b_floor = host_b.position().floor

    host_b.stop()
    third = publish("Tidal clinics")
    db.session.execute(
        update(IndexHost)
        .where(IndexHost.name == "b")
        .values(
            last_seen_at=utcnow() - timedelta(seconds=app.config["INDEX_HOST_LIVE_SECONDS"] + 1)
        )
    )
    db.session.commit()
    prune_log()
    horizon = changelog.pruned_through(db.session)
    assert horizon > b_floor
    host_b.start()
    host_b.wait_until(lambda: host_b.title_of(third) == "Tidal clinics", START_SECONDS)

    needed = f"needs changes from id {b_floor + 1}, but the log was pruned through {horizon}"
    assert f"index host b {needed}: rebuilding from the database" in host_b.log()
    assert host_b.title_of(first) == "Solar clinics"
    db.session.expire_all()
    assert db.session.get(IndexHost, "b").last_rebuild_reason == needed
