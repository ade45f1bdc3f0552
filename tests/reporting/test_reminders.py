"""Reminders by e-mail through a real local SMTP server: which one, to whom, each only once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.countries.models import PartnershipStatus
from hub.extensions import db
from hub.notifications.models import Category, Notification
from hub.reporting.models import ReminderKind, ReminderSent
from hub.reporting.reminders import reminders_due, send_reminders
from tests import factories
from tests.reporting.helpers import partner, schedule

# Yearly periods from 1 January 2025: the 2025 report is due on 31 December 2025.
START = date(2025, 1, 1)


@pytest.fixture
def mail(app, smtp_server):
    smtp_server.configure(app)
    return smtp_server


@pytest.fixture
def ghana(app):
    """Ghana reported in 2024 (before the schedule), so its 2025 report is owed."""
    schedule(START)
    country = partner("GHA", PartnershipStatus.PILOT)
    factories.document(country_code="GHA", published_on=date(2024, 5, 1))
    return country


@pytest.fixture
def focal(ghana):
    return [factories.user(country_code="GHA", email=f"fp{i}@gha.example") for i in (1, 2)]


def _kinds(today: date) -> list[ReminderKind]:
    return [r.kind for r in reminders_due(today)]


def test_which_reminder_on_which_day(ghana):
    assert _kinds(date(2025, 11, 30)) == []  # 31 days before the due date
    assert _kinds(date(2025, 12, 1)) == [ReminderKind.DUE_SOON]  # 30 days before
    assert _kinds(date(2025, 12, 31)) == [ReminderKind.DUE_SOON]  # the due date itself
    assert _kinds(date(2026, 1, 1)) == [ReminderKind.OVERDUE]  # the day after
    assert _kinds(date(2026, 12, 31)) == [ReminderKind.OVERDUE]
    assert _kinds(date(2027, 1, 1)) == [ReminderKind.RED]  # a full period later


def test_thirty_days_before_the_due_date_is_the_first_reminder_day(ghana):
    assert _kinds(date(2025, 11, 30)) == []
    assert [r.due_on for r in reminders_due(date(2025, 12, 1))] == [date(2025, 12, 31)]


def test_no_reminder_for_a_country_that_reported_this_period(ghana):
    factories.document(country_code="GHA", published_on=date(2025, 12, 10))
    assert _kinds(date(2025, 12, 20)) == []


def test_no_reminder_without_a_schedule_or_for_non_members(app):
    partner("GHA")
    assert reminders_due(date(2025, 12, 20)) == []
    schedule(START)
    factories.country("KEN")  # not a member
    assert [r.country.iso3 for r in reminders_due(date(2025, 12, 20))] == ["GHA"]


def test_due_soon_goes_to_each_active_focal_point_and_is_recorded(app, mail, ghana, focal):
    factories.user(country_code="GHA", email="gone@gha.example", is_active=False)
    factories.user(country_code="GHA", email="invited@gha.example", password=None)
    factories.user(country_code="KEN", email="fp@ken.example")
    factories.user(role=Role.EDITOR, country_code=None, email="editor@un.example")
    outcome = send_reminders(date(2025, 12, 15))
    assert [(r.kind, emails) for r, emails in outcome.sent] == [
        (ReminderKind.DUE_SOON, ["fp1@gha.example", "fp2@gha.example"])
    ]
    messages = mail.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["fp1@gha.example", "fp2@gha.example"]
    assert all(m["Subject"] == "Report due on 2025-12-31 for Ghana" for m in messages)
    body = messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "The reporting period ends on 2025-12-31" in body
    assert "http://127.0.0.1:5000/reporting/" in body
    assert "http://127.0.0.1:5000/workspace/new/briefs" in body
    record = db.session.scalar(select(ReminderSent))
    assert (record.kind, record.period_starts_on, record.recipients) == (
        ReminderKind.DUE_SOON, START, 2,
    )  # fmt: skip
    notes = db.session.scalars(select(Notification)).all()
    assert sorted(n.user_id for n in notes) == sorted(u.id for u in focal)
    assert {n.category for n in notes} == {Category.REPORTING}
    assert notes[0].url == "/reporting/"


def test_running_twice_sends_nothing_new(app, mail, ghana, focal):
    send_reminders(date(2025, 12, 15))
    mail.wait_for(2)
    again = send_reminders(date(2025, 12, 15))
    later = send_reminders(date(2025, 12, 30))  # still the same reminder for the same period
    assert again.sent == [] and later.sent == []
    assert len(mail.messages) == 2
    assert db.session.query(Notification).count() == 2


def test_each_stage_is_sent_once_over_two_years(app, mail, ghana, focal):
    days = [date(2025, 12, 2), date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 2),
            date(2026, 12, 1), date(2027, 1, 1), date(2027, 6, 1)]  # fmt: skip
    for day in days:
        send_reminders(day)
    mail.wait_for(6)
    subjects = [m["Subject"] for m in mail.messages]
    assert subjects.count("Report due on 2025-12-31 for Ghana") == 2
    assert subjects.count("Report overdue for Ghana (due 2025-12-31)") == 2
    assert subjects.count("Report overdue by a full period for Ghana") == 2
    assert len(subjects) == 6
    kinds = db.session.execute(select(ReminderSent.kind, ReminderSent.period_starts_on)).all()
    assert sorted(kinds) == sorted(
        [(ReminderKind.DUE_SOON, START), (ReminderKind.OVERDUE, START), (ReminderKind.RED, START)]
    )


def test_next_period_gets_its_own_due_soon_reminder(app, mail, ghana, focal):
    send_reminders(date(2025, 12, 15))
    factories.document(country_code="GHA", published_on=date(2025, 12, 20))
    send_reminders(date(2026, 12, 15))
    mail.wait_for(4)
    assert [m["Subject"] for m in mail.messages][-1] == "Report due on 2026-12-31 for Ghana"


def test_country_without_focal_points_is_reported_and_retried_later(app, mail, ghana):
    outcome = send_reminders(date(2025, 12, 15))
    assert outcome.sent == [] and [r.country.iso3 for r in outcome.skipped_no_recipient] == ["GHA"]
    assert db.session.scalar(select(ReminderSent.id)) is None
    factories.user(country_code="GHA", email="new@gha.example")
    assert [emails for _, emails in send_reminders(date(2025, 12, 16)).sent] == [
        ["new@gha.example"]
    ]


def test_refused_mail_is_not_recorded_so_the_next_run_retries(app, mail, ghana, focal):
    mail.refuse.update({"fp1@gha.example", "fp2@gha.example"})
    outcome = send_reminders(date(2025, 12, 15))
    assert outcome.sent == [] and len(outcome.failed) == 1
    assert db.session.scalar(select(ReminderSent.id)) is None
    assert db.session.query(Notification).count() == 0
    mail.refuse.clear()
    assert len(send_reminders(date(2025, 12, 15)).sent) == 1


def test_cli_command_sends_and_is_idempotent(app, mail, ghana, focal):
    from hub.reporting.commands import send_reminders_command

    runner = app.test_cli_runner()
    first = runner.invoke(send_reminders_command, ["--today", "2026-01-01"])
    assert first.exit_code == 0, first.output
    assert "sent overdue (GHA, due 2025-12-31) to 2 focal point(s)" in first.output
    mail.wait_for(2)
    second = runner.invoke(send_reminders_command, ["--today", "2026-01-01"])
    assert second.exit_code == 0 and "reminders sent: 0" in second.output
    assert len(mail.messages) == 2


def test_new_member_who_joined_mid_period_is_not_reminded_for_that_period(app, mail):
    schedule(START)
    partner("KEN", member_since=date(2025, 12, 20))
    factories.user(country_code="KEN", email="fp@ken.example")
    assert reminders_due(date(2025, 12, 21)) == []
    assert reminders_due(date(2026, 1, 1)) == []
    assert [r.kind for r in reminders_due(date(2026, 12, 5))] == [ReminderKind.DUE_SOON]


def test_command_registers_under_a_flask_group(app, ghana):
    """The lead adds it to ``flask hub`` with ``register(hub_cli)``."""
    from flask.cli import AppGroup

    from hub.reporting.commands import register

    group = AppGroup("hub")
    register(group)
    result = app.test_cli_runner().invoke(group, ["send-reminders", "--today", "2025-06-01"])
    assert result.exit_code == 0 and "reminders sent: 0" in result.output
