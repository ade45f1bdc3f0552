"""Running the queue's consumer: threads inside ``flask hub serve`` (embedded SQLite queue), or
alone as ``flask hub worker`` (production, any storage).

Either way the consumer first queues again what a crash left (``hub.jobs.recovery``), then runs
every job inside the one app it was given.
"""

from __future__ import annotations

import logging
import signal
import threading

from flask import Flask
from huey.consumer import Consumer

from hub.jobs.queue import jobs_of
from hub.jobs.recovery import recover_unfinished

log = logging.getLogger(__name__)

POLL_MAX_SECONDS = 1.0  # an idle worker looks at the SQLite queue at least this often
SHUTDOWN_SECONDS = 60  # a PDF extraction may take 45 s; longer ones are recovered at start


class ImmediateQueue(RuntimeError):
    """Jobs already run at enqueue (``JOBS_IMMEDIATE``): there is nothing for a worker to do."""


def make_consumer(app: Flask, workers: int | None = None) -> Consumer:
    """A consumer of this app's queue, after putting back what a crash left half done."""
    jobs = jobs_of(app)
    if jobs.huey.immediate:
        raise ImmediateQueue("JOBS_IMMEDIATE is on: jobs run when they are queued")
    with app.app_context():
        recover_unfinished(at_start=True)
    return jobs.huey.create_consumer(
        workers=workers or app.config["JOBS_WORKERS"],
        worker_type="thread",
        periodic=True,
        max_delay=POLL_MAX_SECONDS,
        # One host owns an SQLite queue, so a lock found at start is a dead worker's. With
        # Redis another host may hold it: its expiry (schedule.LOCK_TTL) frees it instead.
        flush_locks=not jobs.uses_redis,
        shutdown_timeout=SHUTDOWN_SECONDS,
    )


def start_in_process(app: Flask, workers: int | None = None) -> Consumer:
    """Start the consumer's threads next to a web server; stop it with ``consumer.stop()``.

    Huey's ``start()`` installs its own signal handlers; the caller's are put back, since the
    web server owns this process's signals.
    """
    consumer = make_consumer(app, workers)
    in_main = threading.current_thread() is threading.main_thread()
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        consumer.start()
    except ValueError:
        # signal.signal() outside the main thread: the threads are running, keep them.
        if in_main:
            raise
    if in_main:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    log.info("job queue consumer started with %d thread(s)", consumer.workers)
    return consumer


def run_alone(app: Flask, workers: int | None = None) -> None:
    """Consume until SIGINT (finish running jobs) or SIGTERM (stop now)."""
    make_consumer(app, workers).run()
