"""Jobs that failed: recorded for administrators, who may send a job back to the queue.

Each failed attempt updates one row per job and arguments (attempts, last error and time); the
row says ``is_final`` once the queue has given up. A later success removes it, so the page lists
only what still needs a person.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import select

from hub import permissions
from hub.dbtypes import utcnow
from hub.errors import NotFound
from hub.extensions import db
from hub.jobs.models import FailedJob
from hub.jobs.queue import args_text, enqueue, jobs_of
from hub.permissions import Action

log = logging.getLogger(__name__)


def _row(name: str, args: list[Any]) -> FailedJob | None:
    return db.session.scalar(
        select(FailedJob).where(FailedJob.name == name, FailedJob.args == args_text(args))
    )


def record(name: str, args: list[Any], error: str, *, final: bool) -> None:
    """Note a failed attempt of job ``name``; ``final`` when no retry will follow."""
    now = utcnow()
    row = _row(name, args)
    if row is None:
        row = FailedJob(name=name, args=args_text(args), attempts=0, first_failed_at=now)
        db.session.add(row)
    row.attempts += 1
    row.error = error[:4000]
    row.last_failed_at = now
    row.is_final = final
    db.session.commit()
    if final:
        # A warning: the error itself was logged by the job or by the queue.
        log.warning("job %s(%s) failed for good after %d attempts", name, row.args, row.attempts)


def clear(name: str, args: list[Any]) -> None:
    """A success: an earlier failure of the same job needs nobody any more."""
    row = _row(name, args)
    if row is not None:
        db.session.delete(row)
        db.session.commit()


def given_up(*, by: Any) -> list[FailedJob]:
    """Jobs the queue no longer retries, most recent failure first (administrators only: the
    errors can name addresses and files)."""
    permissions.require(by, Action.JOBS_MANAGE)
    return list(
        db.session.scalars(
            select(FailedJob)
            .where(FailedJob.is_final.is_(True))
            .order_by(FailedJob.last_failed_at.desc(), FailedJob.id.desc())
        )
    )


def retrying() -> int:
    """How many failed jobs still have a retry ahead of them."""
    return len(db.session.scalars(select(FailedJob.id).where(FailedJob.is_final.is_(False))).all())


def retry(failure_id: int, *, by: Any) -> FailedJob:
    """Send a failed job back to the queue (administrators only). The row goes first: if the
    job fails again, its new failure is recorded afresh."""
    permissions.require(by, Action.JOBS_MANAGE)
    row = db.session.get(FailedJob, failure_id)
    if row is None or row.name not in jobs_of().tasks:
        raise NotFound()
    name, args = row.name, json.loads(row.args)
    db.session.delete(row)
    db.session.commit()
    log.info("job %s(%s) sent back to the queue by user %s", name, args, by.id)
    enqueue(name, *args)
    return row
