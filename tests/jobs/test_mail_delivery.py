"""``send_mail`` records a row and queues ``deliver_mail``; the job claims the row, sends with the
row's Message-ID and clears the body. Real SMTP (tests/mailserver.py)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from hub.extensions import db
from hub.jobs import enqueue
from hub.jobs.models import MailStatus, OutgoingMail
from hub.mail import send_mail

TOKEN = "tok-5e1d7c9a3b"
BODY = f"Choose a password: http://127.0.0.1:5000/account/reset/{TOKEN}\n"


def _only_row() -> OutgoingMail:
    db.session.expire_all()
    [row] = db.session.scalars(select(OutgoingMail)).all()
    return row


def test_a_sent_mail_keeps_its_message_id_and_loses_its_body(app, smtp_server):
    smtp_server.configure(app)

    assert send_mail("ana@example.org", "Reset your password", BODY) is True

    [message] = smtp_server.wait_for(1)
    row = _only_row()
    assert row.status is MailStatus.SENT and row.sent_at is not None
    assert message["Message-ID"] == row.message_id
    assert row.body == "" and TOKEN not in row.subject
    assert json.loads(row.recipients) == ["ana@example.org"] and row.attempts == 1


def test_a_mail_queued_twice_is_sent_once(app, smtp_server):
    smtp_server.configure(app)
    send_mail("ana@example.org", "Hi", BODY)
    mail_id = _only_row().id

    enqueue("deliver_mail", mail_id)

    assert len(smtp_server.wait_for(1)) == 1
    assert _only_row().attempts == 1  # the second run found the row sent and did not claim it


def test_a_header_injection_is_refused_before_anything_is_queued(app, smtp_server):
    smtp_server.configure(app)

    with pytest.raises(ValueError, match="line break"):
        send_mail("ana@example.org", "Hi\r\nBcc: victim@example.org", BODY)

    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0


def test_a_refused_recipient_fails_for_good_without_retries(app, smtp_server):
    from hub.jobs.models import FailedJob

    smtp_server.configure(app)
    smtp_server.refuse.add("gone@example.org")
    app.config["JOBS_RETRIES"] = 5  # a 550 answer is not worth retrying, whatever the setting

    assert send_mail("gone@example.org", "Hi", BODY) is False

    row = _only_row()
    assert row.status is MailStatus.FAILED and "SMTPRecipientsRefused" in row.last_error
    failure = db.session.scalar(select(FailedJob))
    assert failure.name == "deliver_mail" and failure.is_final and failure.attempts == 1
