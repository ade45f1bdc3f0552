"""Each host's follower: keeps this host's search index in step with the change log.

Web requests never write the index (``INDEX_FOLLOW = "thread"``); the follower does, every
``INDEX_FOLLOW_INTERVAL`` seconds (0.2 by default), so a publish is searchable on every host
within about a second. On start it runs the start-up check (rebuild a missing or outdated index,
compare counts and repair); then it catches up, marks the host alive, repeats the cheap count
check every ``INDEX_CHECK_SECONDS`` and prunes the log every ``INDEX_PRUNE_SECONDS``.
``flask hub serve`` starts it as a thread (``start``); ``flask hub follow`` runs it alone
(``run_forever``). See docs/deployment.md.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from flask import Flask

from hub.extensions import db
from hub.search import changelog, indexing

log = logging.getLogger(__name__)


class Follower(threading.Thread):
    """A daemon thread applying the change log to this host's index until ``stop()``."""

    def __init__(self, app: Flask) -> None:
        super().__init__(name="hub-index-follower", daemon=True)
        self.app = app
        self._stopping = threading.Event()
        self.started_up = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        with self.app.app_context():
            follow(self.app, self._stopping, self.started_up)


def start(app: Flask) -> Follower:
    """Start this host's follower thread; ``.stop()`` then ``.join()`` ends it."""
    follower = Follower(app)
    follower.start()
    return follower


def run_forever(app: Flask) -> None:
    """Follow the log in this process until SIGTERM or SIGINT (``flask hub follow``)."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stopping.set())
    with app.app_context():
        follow(app, stopping, threading.Event())


def _every(seconds: float) -> dict[str, float]:
    return {"every": seconds, "next": time.monotonic() + seconds}


def _due(timer: dict[str, float]) -> bool:
    now = time.monotonic()
    if now < timer["next"]:
        return False
    timer["next"] = now + timer["every"]
    return True


def follow(app: Flask, stopping: threading.Event, started_up: threading.Event) -> None:
    """The follower's loop; each step's failure is logged and retried on the next round."""
    config = app.config
    if config.get("CHECK_INDEX_ON_START", True):
        _quietly(indexing.startup_check, "start-up index check failed")
    started_up.set()
    heartbeat = _every(config["INDEX_HEARTBEAT_SECONDS"])
    check = _every(config["INDEX_CHECK_SECONDS"])
    prune = _every(config["INDEX_PRUNE_SECONDS"])
    while not stopping.wait(config["INDEX_FOLLOW_INTERVAL"]):
        _quietly(indexing.catch_up, "search index catch-up failed; retrying")
        if _due(heartbeat):
            _quietly(_heartbeat, "index host heartbeat failed")
        if _due(check):
            _quietly(indexing.cheap_check, "periodic index check failed")
        if _due(prune):
            _quietly(prune_log, "pruning the index change log failed")


def _quietly(step, message: str) -> None:  # noqa: ANN001
    try:
        step()
    except Exception:
        log.exception(message)
    finally:
        db.session.remove()


def _heartbeat() -> None:
    """Mark this host alive with the position its index holds (registering it if its row went
    missing), so pruning keeps what it needs."""
    store = indexing.get_store()
    position = indexing.current_position(store)
    if position is None:
        return  # no index yet: the next catch-up builds one and registers the host
    changelog.record_host(db.session, changelog.host_name(), str(store.root), position)
    db.session.commit()


def prune_log() -> int:
    """Delete the change rows every live host has applied (changelog.prune); returns how many.
    The follower runs it every ``INDEX_PRUNE_SECONDS``; a job queue may schedule it too."""
    removed = changelog.prune(db.session)
    db.session.commit()
    if removed:
        log.info("pruned %d index change rows", removed)
    return removed
