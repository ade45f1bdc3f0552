"""Background work on a job queue (Huey): PDF text extraction, mail delivery, digests, reminders.

``enqueue(name, *ids)`` starts a job; ``init_app`` builds the app's queue. The design (storage,
retries, failed jobs, crash recovery, schedule) is in docs/architecture.md, "Background jobs".
"""

from hub.jobs.queue import enqueue, init_app

__all__ = ["enqueue", "init_app"]
