"""Periodic work is scheduled by the queue (UTC), replacing cron."""

from __future__ import annotations

from datetime import datetime

import pytest

from hub.extensions import db
from hub.jobs.queue import jobs_of
from hub.notifications.models import Category, Digest, NotificationPreference
from hub.notifications.service import notify
from tests import factories


def _due_at(app, when: datetime) -> set[str]:
    return {type(task).__name__ for task in jobs_of(app).huey.read_periodic(when)}


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (datetime(2026, 1, 5, 6, 15), {"send_reminders"}),
        (datetime(2026, 1, 5, 7, 15), set()),
        (datetime(2026, 1, 5, 7, 5), {"send_digests"}),
        (datetime(2026, 1, 5, 23, 5), {"send_digests"}),
        (datetime(2026, 1, 5, 7, 20), {"recover_unfinished"}),
        (datetime(2026, 1, 5, 7, 35), {"prune_index_log"}),
        (datetime(2026, 1, 5, 7, 36), set()),
    ],
)
def test_periodic_tasks_run_on_their_schedule(app, when, expected):
    assert _due_at(app, when) == expected


def test_the_periodic_digest_task_sends_the_due_digests(app, smtp_server):
    smtp_server.configure(app)
    reader = factories.user(country_code="GHA")
    db.session.add(NotificationPreference(user_id=reader.id, digest=Digest.DAILY))
    notify(reader, Category.SUBMISSION, "A brief was published.", "/briefs/x")
    db.session.commit()

    jobs_of(app).tasks["send_digests"]()

    [message] = smtp_server.wait_for(1)
    assert "A brief was published." in message.get_content()
