"""Outgoing e-mail: ``send_mail`` queues a plain-text message; the ``deliver_mail`` job sends it.

Mail carries invitation and password-reset links. Queueing is a database row and a queue entry,
so a request never waits for a mail server and a reset takes as long for an unknown address as
for a known one. Delivery (``hub.jobs.delivery``) retries a server that is down, never sends a
message twice after a crash, and clears the body once the server has it. Bodies hold those
links' tokens, so they never go into a log.
"""

from __future__ import annotations

import json
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from hub.extensions import db
from hub.jobs.models import MailStatus, OutgoingMail
from hub.jobs.queue import enqueue, jobs_of

SMTP_TIMEOUT = 10  # seconds; a hung server must not hold a worker for long


def send_mail(to: list[str] | str, subject: str, body: str) -> bool:
    """Queue ``body`` as plain text to ``to``; ``True`` when it is queued or delivered.

    ``False`` only when its delivery has already failed by the time this returns, which happens
    where jobs run at once (tests; see docs/architecture.md): a refused recipient, or a server
    that is down when no retry is configured. Without ``MAIL_SERVER`` the job prints the
    message instead (development). Raises ``ValueError`` for a line break in the subject or an
    address, which would let user input add headers (header injection), and for an empty
    recipient list: those are bugs in the caller, not delivery failures.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    sender = current_app.config["MAIL_FROM"]
    check_headers(sender, recipients, subject)
    row = OutgoingMail(
        recipients=json.dumps(recipients),
        subject=subject,
        body=body,
        message_id=new_message_id(sender),
        status=MailStatus.QUEUED,
        attempts=0,
        refused="",
        last_error="",
    )
    # Its own transaction: the caller's session is neither committed nor rolled back here.
    with Session(db.engine) as session:
        session.add(row)
        session.commit()
        mail_id = row.id
    enqueue("deliver_mail", mail_id)
    if not jobs_of().huey.immediate:
        return True  # a worker sends it; its failures are retried and listed for admins
    with Session(db.engine) as session:
        row = session.get(OutgoingMail, mail_id)
        return row is not None and not has_failed(row)


def has_failed(row: OutgoingMail) -> bool:
    """Whether some recipient will not get this message without someone acting."""
    return row.status in (MailStatus.FAILED, MailStatus.UNCERTAIN) or bool(row.refused)


def check_headers(sender: str, recipients: list[str], subject: str) -> None:
    """Refuse what would break the headers, before anything is queued."""
    if not recipients or not all(address.strip() for address in recipients):
        raise ValueError("send_mail needs at least one recipient and no empty address")
    for value in [sender, subject, *recipients]:
        _refuse_line_breaks(value)


def new_message_id(sender: str) -> str:
    # An explicit domain: make_msgid() would otherwise ask DNS for this host's FQDN.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


def build_message(row: OutgoingMail, sender: str) -> EmailMessage:
    """The message as it goes out, with the Date and the fixed Message-ID spam filters expect."""
    recipients = json.loads(row.recipients)
    check_headers(sender, recipients, row.subject)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = row.subject
    message["Date"] = formatdate(row.created_at.timestamp(), usegmt=True)
    message["Message-ID"] = row.message_id
    message.set_content(row.body)
    return message


def _refuse_line_breaks(value: str) -> None:
    """Header values are checked here, before any policy folds or encodes them."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"line break in mail header value {value[:40]!r} (header injection?)")


@contextmanager
def smtp_connection(config: Mapping[str, Any]) -> Iterator[smtplib.SMTP]:
    """A connection ready to send: TLS and login done, so what fails here sent nothing."""
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        yield smtp


def console_text(message: EmailMessage) -> str:
    """Headers and decoded body, so links can be copied from the terminal as they are."""
    headers = "\n".join(f"{name}: {value}" for name, value in message.items())
    rule = "-" * 72
    return f"{rule}\n{headers}\n\n{message.get_content().rstrip()}\n{rule}"
