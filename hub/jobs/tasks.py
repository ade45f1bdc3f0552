"""The jobs, named for what they do. Each takes ids and is safe to run twice.

Registered on each app's queue by ``hub.jobs.queue.init_app``; started with
``hub.jobs.enqueue(name, *ids)``. Periodic work is in ``hub.jobs.schedule``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app


def extract_attachment_text(attachment_id: int) -> None:
    """Extract a stored PDF's text in the sandboxed child process; nothing if already done."""
    from hub.documents.editing import extract_pending

    extract_pending(current_app._get_current_object(), attachment_id)


def deliver_mail(mail_id: int) -> None:
    """Send a queued mail; nothing if it is sent or another worker has it."""
    from hub.jobs.delivery import deliver

    deliver(mail_id)


def resend_mail(mail_id: int) -> None:
    """Send again a mail whose delivery failed or is uncertain: only an administrator starts
    this, from the failed jobs page, after checking the mail server's log."""
    from hub.jobs.delivery import deliver
    from hub.jobs.models import MailStatus

    deliver(mail_id, claimable=(MailStatus.FAILED, MailStatus.UNCERTAIN))


JOBS: dict[str, Callable[..., Any]] = {
    "extract_attachment_text": extract_attachment_text,
    "deliver_mail": deliver_mail,
    "resend_mail": resend_mail,
}
