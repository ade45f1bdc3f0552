"""Real queues for tests that need production's behaviour: an SQLite queue file, consumed by
``flask hub worker`` in a child process (or by ``hub.jobs.runner`` threads in the test); and a
way to make that worker stop at a chosen point, by holding the database's write lock while it
is killed."""

from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine

from hub.config import PROJECT_ROOT
from hub.jobs import queue

FLASK = str(PROJECT_ROOT / ".venv" / "bin" / "flask")


@contextmanager
def queue_on_disk(app: Flask, folder: Path) -> Iterator[Path]:
    """Rebuild ``app``'s queue on an SQLite file in ``folder`` (no consumer); immediate mode is
    back afterwards. Yields the queue file."""
    saved = {k: app.config[k] for k in ("JOBS_IMMEDIATE", "JOBS_SQLITE_PATH")}
    path = folder / "jobs.sqlite"
    app.config.update(JOBS_IMMEDIATE=False, JOBS_SQLITE_PATH=str(path))
    queue.init_app(app)
    try:
        yield path
    finally:
        app.config.update(saved)
        queue.init_app(app)


class WriteLock:
    """Holds the database's write lock (SQLite: the whole file; PostgreSQL: one table) from
    ``take()`` to ``release()``, so a worker's next commit waits where it is."""

    def __init__(self, database_url: str, table: str) -> None:
        self.url, self.table = database_url, table
        self.taken = threading.Event()
        self._release: Callable[[], None] | None = None

    def take(self) -> None:
        if self.url.startswith("sqlite:///"):
            conn = sqlite3.connect(
                self.url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
            )
            conn.execute("BEGIN IMMEDIATE")
            self._release = lambda: (conn.execute("ROLLBACK"), conn.close())
        else:
            engine = create_engine(self.url)
            conn = engine.connect()
            trans = conn.begin()
            conn.exec_driver_sql(f"LOCK TABLE {self.table} IN EXCLUSIVE MODE")
            self._release = lambda: (trans.rollback(), conn.close(), engine.dispose())
        self.taken.set()

    def release(self) -> None:
        if self._release is not None:
            self._release()
            self._release = None


class Worker:
    """``flask --app wsgi hub worker`` in a child process, on the test's database and queue."""

    def __init__(self, database_url: str, folder: Path, **settings: str) -> None:
        self.log = folder / "worker.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        self.env.update(
            {
                "HUB_DATABASE_URL": database_url,
                "HUB_DATA_DIR": str(folder / "data"),
                "HUB_INDEX_DIR": str(folder / "index"),
                "HUB_AUDIT_LOG": str(folder / "audit.log"),
                "HUB_SECRET_KEY": secrets.token_hex(32),
                "HUB_CHECK_INDEX_ON_START": "0",
                "HUB_JOBS_SQLITE_PATH": str(folder / "jobs.sqlite"),
                "HUB_JOBS_WORKERS": "1",
                "PYTHONUNBUFFERED": "1",
                **settings,
            }
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [FLASK, "--app", "wsgi", "hub", "worker"],
                cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def wait_for_log(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log.read_text(errors="replace"):
                return
            assert self.process.poll() is None, f"worker exited:\n{self.log.read_text()[-3000:]}"
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not in the worker's log:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is cleaned up, as in a crash or an OOM kill."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode


def wait_until(check: Callable[[], bool], timeout: float = 90, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
