"""Delivering one queued mail: claim the row, hand the message to the server, mark it sent.

Crash windows (docs/architecture.md, "Background jobs"), and why nothing is lost or sent twice:
1. Before the claim: the row is "queued"; recovery enqueues it again.
2. Claimed, SMTP not begun (connect, TLS, login): "sending" without ``handed_over_at``. The
   server has nothing, so once the claim is older than ``JOBS_CLAIM_TIMEOUT`` recovery sends it.
3. ``handed_over_at`` committed, then MAIL/RCPT/DATA, then "sent" committed: a crash in between
   may come after the server accepted the message. Such a row becomes "uncertain": it is never
   resent by itself but listed for administrators as a failed ``resend_mail`` job, with the
   Message-ID to look up in the mail server's log. Sent again, it keeps that Message-ID.
Every step is a compare-and-set UPDATE, so two workers holding the same id send once.
"""

from __future__ import annotations

import json
import logging
import smtplib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from hub.dbtypes import utcnow
from hub.extensions import db
from hub.jobs import failures
from hub.jobs.models import MailStatus, OutgoingMail
from hub.jobs.queue import ExpectedFailure, PermanentFailure
from hub.mail import build_message, console_text, smtp_connection

log = logging.getLogger("hub.mail")

S = MailStatus
RETRYABLE = (S.QUEUED, S.FAILED)


def deliver(mail_id: int, *, claimable: tuple[MailStatus, ...] = RETRYABLE) -> None:
    """Send mail ``mail_id`` unless it is sent, being sent, or needs a person's decision."""
    config = current_app.config
    if not claim(mail_id, claimable, utcnow(), _stale_before()):
        return
    row = db.session.get(OutgoingMail, mail_id)
    message = build_message(row, config["MAIL_FROM"])
    if not config["MAIL_SERVER"]:
        print(console_text(message), flush=True)
        _finish(row, refused={})
        return
    try:
        with smtp_connection(config) as smtp:
            _set(row, handed_over_at=utcnow())
            refused = smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        # OSError covers refused connections, timeouts, DNS and TLS failures.
        log.error(
            "Mail to %s (subject %r) not sent: %s: %s",
            ", ".join(json.loads(row.recipients)),
            row.subject,
            type(exc).__name__,
            exc,
        )
        _set(row, status=S.FAILED, claimed_at=None, handed_over_at=None,
             last_error=f"{type(exc).__name__}: {exc}"[:2000])  # fmt: skip
        if _is_permanent(exc):
            raise PermanentFailure(f"mail {mail_id}: {type(exc).__name__}") from exc
        raise ExpectedFailure(f"mail {mail_id}: {type(exc).__name__}") from exc
    _finish(row, refused=refused)


def claim(
    mail_id: int, claimable: tuple[MailStatus, ...], now: datetime, stale_before: datetime
) -> bool:
    """Take the row for this worker: one UPDATE that only one worker can win."""
    abandoned = and_(
        OutgoingMail.status == S.SENDING,
        OutgoingMail.claimed_at < stale_before,
        OutgoingMail.handed_over_at.is_(None),
    )
    result = db.session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == mail_id, or_(OutgoingMail.status.in_(claimable), abandoned))
        .values(
            status=S.SENDING,
            claimed_at=now,
            handed_over_at=None,
            attempts=OutgoingMail.attempts + 1,
        ),  # fmt: skip
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return result.rowcount == 1


def _set(row: OutgoingMail, **values: object) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    db.session.commit()


def _finish(row: OutgoingMail, refused: dict) -> None:
    """Sent: the server has it (for every recipient it did not refuse). The body goes."""
    if refused:
        log.error("Mail (subject %r) refused for %s", row.subject, ", ".join(refused))
    _set(row, status=S.SENT, sent_at=utcnow(), body="", refused=", ".join(refused))


def _is_permanent(exc: BaseException) -> bool:
    """A 5xx answer or a setting the server rejects: the same attempt would fail again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return True  # TLS required by our settings but not offered
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _stale_before() -> datetime:
    return utcnow() - timedelta(seconds=current_app.config["JOBS_CLAIM_TIMEOUT"])


def recover(older_than: datetime) -> tuple[list[int], list[int]]:
    """Rows a stopped worker left: (ids to deliver again, ids now "uncertain").

    Queued rows made before ``older_than`` lost their queue entry, or will find the row taken;
    claims older than ``JOBS_CLAIM_TIMEOUT`` belong to a worker that is gone.
    """
    stale = _stale_before()
    rows = db.session.execute(
        select(OutgoingMail.id, OutgoingMail.status, OutgoingMail.handed_over_at).where(
            or_(
                and_(OutgoingMail.status == S.QUEUED, OutgoingMail.created_at <= older_than),
                and_(OutgoingMail.status == S.SENDING, OutgoingMail.claimed_at < stale),
            )
        )
    ).all()
    again = [id_ for id_, status, handed in rows if status is S.QUEUED or handed is None]
    uncertain = [id_ for id_, status, handed in rows if status is S.SENDING and handed]
    for mail_id in uncertain:
        _mark_uncertain(mail_id, stale)
    return again, uncertain


def _mark_uncertain(mail_id: int, stale: datetime) -> None:
    done = db.session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == mail_id, OutgoingMail.status == S.SENDING,
               OutgoingMail.claimed_at < stale, OutgoingMail.handed_over_at.is_not(None))
        .values(status=S.UNCERTAIN, last_error="the worker stopped while sending"),
        execution_options={"synchronize_session": False},
    )  # fmt: skip
    db.session.commit()
    if done.rowcount:
        message_id = db.session.scalar(
            select(OutgoingMail.message_id).where(OutgoingMail.id == mail_id)
        )
        failures.record(
            "resend_mail",
            [mail_id],
            f"Delivery uncertain: a worker stopped after handing message {message_id} to the "
            "mail server. Look it up in the server's log; send it again only if it is not there.",
            final=True,
        )
