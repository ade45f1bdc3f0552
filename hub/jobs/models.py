"""Rows the job queue keeps in the Hub's database: outgoing mail and jobs that failed for good.

The queue (Huey) holds only ids; what must survive a crash of a worker lives here, in the same
database as the data it is about, so recovery can find it (docs/architecture.md, "Background
jobs").
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.dbtypes import UTCDateTime, enum_column, utcnow
from hub.extensions import db


class MailStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for deliver_mail
    SENDING = "sending"  # claimed by one worker (claimed_at); handed_over_at once SMTP began
    SENT = "sent"  # the server accepted it; the body is cleared
    FAILED = "failed"  # the last attempt failed; a retry may be scheduled
    UNCERTAIN = "uncertain"  # a worker stopped while the server had it: never resent by itself


class OutgoingMail(db.Model):
    """One message from ``hub.mail.send_mail``, kept until the mail server has it.

    The Message-ID is fixed when the row is made, so a message an administrator sends again
    carries the same id and a mail client can show it once.
    """

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipients: Mapped[str] = mapped_column(Text)  # JSON list, as the caller gave them
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # may hold reset tokens: emptied once sent
    message_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[MailStatus] = mapped_column(
        enum_column(MailStatus, 16), default=MailStatus.QUEUED, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    refused: Mapped[str] = mapped_column(Text, default="")  # recipients the server refused
    last_error: Mapped[str] = mapped_column(Text, default="")


class FailedJob(db.Model):
    """A job whose last attempt failed: retrying (``is_final`` false) or given up (true).

    One row per job name and arguments; each failed attempt updates it. It goes away when the
    job succeeds or an administrator sends it back to the queue.
    """

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    args: Mapped[str] = mapped_column(Text)  # JSON list of the job's arguments (ids)
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    is_final: Mapped[bool] = mapped_column(default=False)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
