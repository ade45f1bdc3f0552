"""Work a crash left half done, found in the database and put back on the queue, and the
temporary files of uploads it interrupted, removed.

Run when a worker starts, and every few minutes by the queue itself (``hub.jobs.schedule``), so a
claim that goes stale while the worker is running is picked up too. Queueing a job twice is
harmless: each job checks its row before acting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from hub.dbtypes import utcnow
from hub.documents import files
from hub.documents.models import Attachment, ExtractionStatus
from hub.extensions import db
from hub.jobs import delivery
from hub.jobs.queue import enqueue

log = logging.getLogger(__name__)


@dataclass
class Recovered:
    extractions: list[int] = field(default_factory=list)  # attachment ids queued again
    mails: list[int] = field(default_factory=list)  # mail ids queued again
    uncertain: list[int] = field(default_factory=list)  # mail ids left for an administrator
    swept: list[str] = field(default_factory=list)  # temporary files of interrupted uploads


def recover_unfinished(*, at_start: bool = False) -> Recovered:
    """Queue again what was left: pending extractions and undelivered mail.

    At start every leftover counts; later only what has waited longer than
    ``JOBS_CLAIM_TIMEOUT``, so jobs still waiting their turn are not queued twice.
    """
    now = utcnow()
    older_than = now if at_start else now - _timeout()
    found = Recovered(extractions=_pending_extractions(older_than))
    found.mails, found.uncertain = delivery.recover(older_than)
    for attachment_id in found.extractions:
        enqueue("extract_attachment_text", attachment_id)
    for mail_id in found.mails:
        enqueue("deliver_mail", mail_id)
    # Only files older than an hour: a younger one may be an upload another worker is writing.
    found.swept = [path.name for path in files.sweep_partial_uploads()]
    if found.swept:
        log.info("removed %d temporary file(s) of interrupted uploads", len(found.swept))
    if found.extractions or found.mails or found.uncertain:
        log.info(
            "recovered %d extraction(s), %d mail(s); %d mail(s) uncertain",
            len(found.extractions),
            len(found.mails),
            len(found.uncertain),
        )
    return found


def _timeout() -> timedelta:
    return timedelta(seconds=current_app.config["JOBS_CLAIM_TIMEOUT"])


def _pending_extractions(older_than: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(Attachment.id)
            .where(
                Attachment.extraction_status == ExtractionStatus.PENDING,
                Attachment.created_at <= older_than,
            )
            .order_by(Attachment.id)
        )
    )
