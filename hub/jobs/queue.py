"""The queue itself: one Huey instance per app, built from the app's settings.

Storage (docs/architecture.md, "Background jobs"):
- ``JOBS_IMMEDIATE`` (on under TESTING): every job runs synchronously when it is enqueued, through
  the same wrapper a worker uses, so tests run what production runs;
- ``JOBS_REDIS_URL`` set: Redis, shared by several hosts, each running ``flask hub worker``;
- otherwise a SQLite file (``JOBS_SQLITE_PATH``), consumed by threads inside ``flask hub serve``.

Every job runs inside an app context of the app that built the queue: a worker creates the app
once and its consumer threads share it. A job gets ids, never objects, and its body is safe to
run twice (a crash can make the queue or the recovery run it again).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from huey.exceptions import CancelExecution, TaskLockedException

from hub.extensions import db

log = logging.getLogger(__name__)

QUEUE_NAME = "hub"


class PermanentFailure(Exception):
    """A job raises this when trying again cannot help (a mail server refused every recipient):
    the job is recorded as failed at once, without retries."""


class ExpectedFailure(Exception):
    """A job raises this for a failure it has already logged (a mail server that is down): it is
    retried like any error, without a second traceback in the log."""


@dataclass
class Jobs:
    """What ``init_app`` keeps in ``app.extensions["hub_jobs"]``."""

    huey: Huey
    tasks: dict[str, TaskWrapper] = field(default_factory=dict)
    uses_redis: bool = False


def build_huey(config: dict[str, Any]) -> tuple[Huey, bool]:
    """The Huey instance these settings ask for, and whether it is shared through Redis."""
    options: dict[str, Any] = {"results": False, "utc": True}
    if config["JOBS_IMMEDIATE"]:
        return MemoryHuey(QUEUE_NAME, immediate=True, **options), False
    if config["JOBS_REDIS_URL"]:
        return RedisHuey(QUEUE_NAME, url=config["JOBS_REDIS_URL"], **options), True
    path = Path(config["JOBS_SQLITE_PATH"])
    path.parent.mkdir(parents=True, exist_ok=True)
    # No sync to disk per job: a queued job reaches the OS at once, so a crashed process loses
    # nothing, and queueing a mail costs a request one disk sync (the row), not two. A power cut
    # may lose the newest entries, or damage the file (delete it while no worker runs): the
    # rows each job points at are the record of the work, kept with full sync, and a worker's
    # start queues again whatever they say is unfinished (hub/jobs/recovery.py).
    return SqliteHuey(QUEUE_NAME, filename=str(path), fsync=False, **options), False


def init_app(app: Flask) -> None:
    """Build this app's queue and register every job and periodic task on it."""
    from hub.jobs import schedule, tasks

    huey, uses_redis = build_huey(app.config)
    jobs = Jobs(huey, uses_redis=uses_redis)
    settings = {
        "retries": app.config["JOBS_RETRIES"],
        "retry_delay": app.config["JOBS_RETRY_DELAY"],
        "retry_backoff": app.config["JOBS_RETRY_BACKOFF"],
    }
    for name, func in tasks.JOBS.items():
        jobs.tasks[name] = huey.task(context=True, name=name, **settings)(job_body(app, name, func))
    schedule.register(app, jobs)
    app.extensions["hub_jobs"] = jobs


def jobs_of(app: Flask | None = None) -> Jobs:
    return (app or current_app).extensions["hub_jobs"]


def enqueue(name: str, *args: int | str) -> None:
    """Put job ``name`` on the queue with ``args`` (ids): the one way code starts a job.

    In immediate mode the job has run when this returns; its failure is recorded, not raised.
    """
    task = jobs_of().tasks[name]
    task(*args)


def job_body(app: Flask, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """The body Huey runs: ``func`` in a fresh app context (its own database session), with
    each failure recorded in ``failed_jobs`` and a success clearing an earlier failure."""
    from hub.jobs import failures

    def run(*args: Any, task: Any) -> Any:
        with app.app_context():
            try:
                result = func(*args)
            except TaskLockedException:
                raise  # another copy is running: not a failure
            except Exception as exc:
                db.session.rollback()
                final = isinstance(exc, PermanentFailure) or not task.retries
                failures.record(name, list(args), _describe(exc), final=final)
                if isinstance(exc, PermanentFailure):
                    raise CancelExecution(str(exc), retry=False) from exc
                if isinstance(exc, ExpectedFailure):
                    # Huey logs this as a warning; the job logged the cause itself.
                    raise CancelExecution(str(exc)) from exc
                raise
            failures.clear(name, list(args))
            return result

    run.__name__ = name
    run.__doc__ = func.__doc__
    return run


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def args_text(args: list[Any]) -> str:
    """How arguments are stored and compared in ``failed_jobs``."""
    return json.dumps(args, separators=(",", ":"))
