"""Outgoing e-mail: one function that sends a plain-text message, or prints it in development.

Mail carries invitation and password-reset links. A mail server that is down must not turn the
request that asked for the mail into an error page, so failures are logged and reported as
``False``; the caller decides what to tell the user. Bodies hold those links' tokens, so they
never go into a log.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 10  # seconds; a hung server must not hold a worker for long


def send_mail(to: list[str] | str, subject: str, body: str) -> bool:
    """Send ``body`` as plain text to ``to``; ``True`` when the server accepted every recipient.

    Without ``MAIL_SERVER`` the message is printed to stdout instead (development) and counts as
    sent. Raises ``ValueError`` for a line break in the subject or an address, which would let
    user input add headers (header injection), and for an empty recipient list: those are bugs
    in the caller, not delivery failures.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    config = current_app.config
    message = build_message(config["MAIL_FROM"], recipients, subject, body)
    if not config["MAIL_SERVER"]:
        print(_console_text(message), flush=True)
        return True
    try:
        refused = _deliver(message, config)
    except (smtplib.SMTPException, OSError) as exc:
        # OSError covers refused connections, timeouts, DNS and TLS failures.
        log.error(
            "Mail to %s (subject %r) not sent: %s: %s",
            ", ".join(recipients),
            subject,
            type(exc).__name__,
            exc,
        )
        return False
    if refused:
        log.error("Mail (subject %r) refused for %s", subject, ", ".join(refused))
        return False
    return True


def send_mail_later(to: list[str] | str, subject: str, body: str) -> threading.Thread:
    """Send from a background thread, so the request's timing does not depend on the mail
    server (a reset request must take as long for unknown addresses as for known ones)."""
    app = current_app._get_current_object()
    build_message(app.config["MAIL_FROM"], [to] if isinstance(to, str) else list(to), subject, body)

    def deliver() -> None:
        with app.app_context():
            send_mail(to, subject, body)

    thread = threading.Thread(target=deliver, daemon=True)
    thread.start()
    return thread


def build_message(sender: str, recipients: list[str], subject: str, body: str) -> EmailMessage:
    """The message as it goes out, with the Date and Message-ID that spam filters expect."""
    if not recipients or not all(address.strip() for address in recipients):
        raise ValueError("send_mail needs at least one recipient and no empty address")
    for value in [sender, subject, *recipients]:
        _refuse_line_breaks(value)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    # An explicit domain: make_msgid() would otherwise ask DNS for this host's FQDN.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body)
    return message


def _refuse_line_breaks(value: str) -> None:
    """Header values are checked here, before any policy folds or encodes them."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"line break in mail header value {value[:40]!r} (header injection?)")


def _deliver(message: EmailMessage, config: Mapping[str, Any]) -> dict[str, Any]:
    """Hand the message to the SMTP server; returns the recipients it refused."""
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return smtp.send_message(message)


def _console_text(message: EmailMessage) -> str:
    """Headers and decoded body, so links can be copied from the terminal as they are."""
    headers = "\n".join(f"{name}: {value}" for name, value in message.items())
    rule = "-" * 72
    return f"{rule}\n{headers}\n\n{message.get_content().rstrip()}\n{rule}"
