"""Helpers for the job tests: a pending attachment, and running Huey's schedule by hand.

In immediate mode a retry waits in Huey's in-memory schedule; ``run_due`` runs what is due at a
given time through Huey's own ``read_schedule`` and ``execute``, so a test walks through the
backoff without waiting for it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from hub.documents.attachments import attachment_from_file
from hub.documents.models import Attachment, Status
from hub.extensions import db
from hub.jobs import queue
from tests import factories


def run_due(app: Flask, at: datetime) -> int:
    """Run the scheduled jobs due at ``at`` (naive UTC, as Huey keeps it); how many ran."""
    huey = queue.jobs_of(app).huey
    due = huey.read_schedule(at)
    for task in due:
        huey.execute(task, at)
    return len(due)


def scheduled_etas(app: Flask) -> list[datetime]:
    """When each job waiting in the schedule is due (without taking it out)."""
    huey = queue.jobs_of(app).huey
    return sorted(task.eta for task in huey.scheduled())


def with_retries(app: Flask, retries: int, delay: int, backoff: float) -> None:
    """Rebuild the app's queue with these retry settings (immediate mode stays on)."""
    app.config.update(JOBS_RETRIES=retries, JOBS_RETRY_DELAY=delay, JOBS_RETRY_BACKOFF=backoff)
    queue.init_app(app)


@pytest.fixture
def pending_attachment(tmp_path: Path) -> Attachment:
    """An attachment stored with its text not yet extracted, as an upload leaves it."""
    doc = factories.document(status=Status.DRAFT, country_code="GHA")
    source = tmp_path / "upload.pdf"
    source.write_bytes(factories.pdf_bytes("Seed banks for climate resilience"))
    attachment = attachment_from_file(source, filename="seeds.pdf", extract=False)
    doc.attachments.append(attachment)
    db.session.commit()
    return attachment
