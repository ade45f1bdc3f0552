"""Periodic work, scheduled by the queue's own clock (UTC) instead of cron.

- ``send_digests`` hourly at :05 (each user's period and its margin are the digest's rules);
- ``send_reminders`` daily at 06:15 (each reminder is recorded and sent once);
- ``recover_unfinished`` every 10 minutes (claims that went stale, see ``hub.jobs.recovery``);
- ``prune_index_log`` hourly at :35: deletes the index change rows every live host has applied
  (``hub.search.follower.prune_log``).
With Redis every host's consumer schedules these; a lock in the queue's storage keeps two copies
from running at once, and each body is safe to run again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from huey import crontab

from hub.dbtypes import utcnow
from hub.jobs.queue import Jobs, job_body

log = logging.getLogger(__name__)

LOCK_TTL = 3600  # seconds; Redis forgets the lock of a worker that died holding it


def send_digests() -> None:
    from hub.notifications.digest import send_digests as send

    report = send()
    log.info("digests sent %d, failed %d", len(report.sent), len(report.failed))


def send_reminders() -> None:
    from hub.reporting.reminders import send_reminders as send

    outcome = send(utcnow().date())
    log.info("reminders sent %d, failed %d", len(outcome.sent), len(outcome.failed))


def recover_unfinished() -> None:
    from hub.jobs.recovery import recover_unfinished as recover

    recover()


def prune_index_log() -> None:
    from hub.search.follower import prune_log

    prune_log()


PERIODIC: dict[str, tuple[crontab, Callable[[], Any]]] = {
    "send_digests": (crontab(minute="5"), send_digests),
    "send_reminders": (crontab(minute="15", hour="6"), send_reminders),
    "recover_unfinished": (crontab(minute="*/10"), recover_unfinished),
    "prune_index_log": (crontab(minute="35"), prune_index_log),
}


def register(app: Flask, jobs: Jobs) -> None:
    """Add the periodic tasks to this app's queue (they are jobs too: failures are recorded
    and an administrator may run one again)."""
    ttl = LOCK_TTL if jobs.uses_redis else None  # other storages keep no expiry
    for name, (when, func) in PERIODIC.items():
        body = job_body(app, name, _locked(jobs, name, ttl, func))
        jobs.tasks[name] = jobs.huey.periodic_task(when, context=True, name=name)(body)


def _locked(jobs: Jobs, name: str, ttl: int | None, func: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        with jobs.huey.lock_task(f"periodic-{name}", ttl=ttl):
            return func()

    return run
