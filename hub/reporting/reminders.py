"""Reminders to member countries before and after a due date, each sent once.

Which reminder a country gets follows from its status (``hub.reporting.rules``):
- ``due_soon``: amber and due within ``DAYS_BEFORE`` days (the due date itself included);
- ``overdue``: amber and overdue, from the day after the missed due date;
- ``red``: overdue by a full period.
Each is recorded per country, kind and period (``ReminderSent``): the job queue runs this daily
(``hub.jobs.schedule``), and it may run twice or miss a day and still sends each reminder once.
A reminder is recorded only when its mail was queued for at least one focal point (``send_mail``
is true); the queue retries a mail server that is down, and a mail refused where jobs run at
once leaves the reminder for the next run rather than losing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from hub.accounts.models import Role, User
from hub.countries.models import Country
from hub.extensions import db
from hub.mail import send_mail
from hub.notifications.links import absolute, path_for
from hub.notifications.models import Category
from hub.notifications.service import notify
from hub.reporting import service
from hub.reporting.models import ReminderKind, ReminderSent
from hub.reporting.rules import Level, Schedule, period_at, period_index
from hub.reporting.rules import Status as ReportingStatus
from hub.reporting.service import CountryStatus

DAYS_BEFORE = 30


@dataclass(frozen=True)
class Reminder:
    country: Country
    kind: ReminderKind
    period_starts_on: date  # the period whose due date the reminder is about
    due_on: date


@dataclass
class Outcome:
    sent: list[tuple[Reminder, list[str]]] = field(default_factory=list)  # and to whom
    skipped_no_recipient: list[Reminder] = field(default_factory=list)
    failed: list[Reminder] = field(default_factory=list)


def reminder_for(
    country: Country, status: ReportingStatus, schedule: Schedule, today: date
) -> Reminder | None:
    """The reminder ``status`` calls for today, if any."""
    if status.level is Level.AMBER and status.due_on is not None:
        if status.due_on - timedelta(days=DAYS_BEFORE) <= today:
            period = period_at(schedule, period_index(schedule, status.due_on))
            return Reminder(country, ReminderKind.DUE_SOON, period.starts_on, status.due_on)
        return None
    if status.level in (Level.AMBER, Level.RED) and status.overdue_since is not None:
        missed_due = status.overdue_since - timedelta(days=1)
        period = period_at(schedule, period_index(schedule, missed_due))
        kind = ReminderKind.RED if status.level is Level.RED else ReminderKind.OVERDUE
        return Reminder(country, kind, period.starts_on, missed_due)
    return None


def reminders_due(today: date) -> list[Reminder]:
    """Reminders that today's statuses call for and that were not sent before."""
    schedule = service.current_schedule()
    if schedule is None:
        return []
    rows: dict[int, CountryStatus] = service.statuses(service.partner_countries(), today=today)
    wanted = [reminder_for(r.country, r.status, schedule, today) for r in rows.values()]
    sent = {
        (c, k, p)
        for c, k, p in db.session.execute(
            select(ReminderSent.country_id, ReminderSent.kind, ReminderSent.period_starts_on)
        )
    }
    return [
        r
        for r in wanted
        if r is not None and (r.country.id, r.kind, r.period_starts_on) not in sent
    ]


def recipients(country: Country) -> list[User]:
    """The country's focal points who can log in: active accounts with a password set (an
    invitation not yet accepted may have gone to the wrong person)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.FOCAL_POINT,
                User.country_id == country.id,
                User.is_active.is_(True),
                User.password_hash.is_not(None),
            )
            .order_by(User.id)
        )
    )


def message(reminder: Reminder) -> tuple[str, str, str]:
    """Subject, body and the short notification text of a reminder."""
    name, due = reminder.country.name, reminder.due_on.isoformat()
    if reminder.kind is ReminderKind.DUE_SOON:
        subject = _("Report due on %(due)s for %(country)s", due=due, country=name)
        note = _("The report of %(country)s is due on %(due)s.", country=name, due=due)
    elif reminder.kind is ReminderKind.OVERDUE:
        subject = _("Report overdue for %(country)s (due %(due)s)", due=due, country=name)
        note = _("The report of %(country)s was due on %(due)s.", country=name, due=due)
    else:
        subject = _("Report overdue by a full period for %(country)s", country=name)
        note = _(
            "The report of %(country)s is overdue by a full period (it was due on %(due)s).",
            country=name,
            due=due,
        )
    body = render_template(
        "mail/report_reminder.txt",
        kind=reminder.kind.value,
        country=name,
        due=due,
        status_url=absolute(path_for("reporting.index")),
        new_url=absolute(path_for("workspace.new", kind_path="briefs")),
    )
    return subject, body, note


def send_reminders(today: date) -> Outcome:
    """Send every reminder due today that was not sent before, and record each."""
    outcome = Outcome()
    for reminder in reminders_due(today):
        people = recipients(reminder.country)
        if not people:
            outcome.skipped_no_recipient.append(reminder)
            continue
        subject, body, note = message(reminder)
        delivered = [p for p in people if send_mail(p.email, subject, body)]
        if not delivered:
            outcome.failed.append(reminder)
            continue
        url = path_for("reporting.index")
        for person in people:
            notify(person, Category.REPORTING, note, url)
        db.session.add(
            ReminderSent(
                country_id=reminder.country.id,
                kind=reminder.kind,
                period_starts_on=reminder.period_starts_on,
                recipients=len(delivered),
            )
        )
        db.session.commit()
        outcome.sent.append((reminder, [p.email for p in delivered]))
    return outcome
