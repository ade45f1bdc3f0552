"""Retries with exponential backoff, then a failure recorded for good, listed for administrators,
who may send the job back to the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.extensions import db
from hub.jobs.models import FailedJob, MailStatus, OutgoingMail
from hub.mail import send_mail
from tests import factories
from tests.jobs.conftest import run_due, scheduled_etas, with_retries
from tests.mailserver import free_port
from tests.web import login, post


def _failure() -> FailedJob:
    db.session.expire_all()
    return db.session.scalar(select(FailedJob))


@pytest.fixture
def mail_given_up(app):
    """A mail to a server that is down, retried twice (10 s, then 20 s later) and given up."""
    with_retries(app, retries=2, delay=10, backoff=2.0)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)
    send_mail("ana@example.org", "Your invitation", "Set your password here.\n")
    [first] = scheduled_etas(app)
    run_due(app, first)
    [second] = scheduled_etas(app)
    run_due(app, second)
    return first, second


def test_a_failing_job_is_retried_with_growing_waits(app):
    with_retries(app, retries=2, delay=10, backoff=2.0)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)
    send_mail("ana@example.org", "Your invitation", "Set your password here.\n")
    failed_at = _failure().last_failed_at.replace(tzinfo=None)
    [first] = scheduled_etas(app)

    assert run_due(app, first - timedelta(seconds=1)) == 0
    assert run_due(app, first) == 1

    [second] = scheduled_etas(app)
    failed_again_at = _failure().last_failed_at.replace(tzinfo=None)
    # Each wait is counted from the failure before it, and doubles.
    assert timedelta(seconds=9) <= first - failed_at <= timedelta(seconds=11)
    assert timedelta(seconds=19) <= second - failed_again_at <= timedelta(seconds=21)
    assert _failure().attempts == 2 and not _failure().is_final


def test_after_the_last_retry_the_failure_is_recorded_for_good(app, mail_given_up):
    failure = _failure()

    assert failure.is_final and failure.attempts == 3
    assert failure.name == "deliver_mail" and "ConnectionRefusedError" in failure.error
    assert failure.first_failed_at < failure.last_failed_at
    assert scheduled_etas(app) == []
    assert db.session.scalar(select(OutgoingMail.status)) is MailStatus.FAILED


def test_the_admin_page_lists_the_failed_job(app, mail_given_up):
    client = app.test_client()
    login(client, factories.user(role=Role.ADMIN, country_code=None))

    html = client.get("/admin/jobs").get_data(as_text=True)

    assert "Send an e-mail" in html and "ConnectionRefusedError" in html
    assert f"/admin/jobs/{_failure().id}/retry" in html


def test_admin_retry_sends_the_mail_and_clears_the_failure(app, mail_given_up, smtp_server):
    smtp_server.configure(app)
    client = app.test_client()
    login(client, factories.user(role=Role.ADMIN, country_code=None))
    url = f"/admin/jobs/{_failure().id}/retry"

    response = post(client, url, {}, form_url="/admin/jobs", follow_redirects=True)

    assert "is back on the queue" in response.get_data(as_text=True)
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Your invitation"
    assert _failure() is None
    assert db.session.scalar(select(OutgoingMail.status)) is MailStatus.SENT


@pytest.mark.parametrize("role", [Role.EDITOR, Role.FOCAL_POINT])
def test_only_administrators_see_the_failed_jobs(app, role):
    client = app.test_client()
    login(
        client, factories.user(role=role, country_code="GHA" if role is Role.FOCAL_POINT else None)
    )

    assert client.get("/admin/jobs").status_code == 403


def test_the_public_is_sent_to_the_login_page(app):
    response = app.test_client().get("/admin/jobs")

    assert response.status_code == 302 and "/login" in response.headers["Location"]
