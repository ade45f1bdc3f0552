"""``flask hub send-reminders``: the reporting reminders due now (the job queue runs them daily);
each is sent once."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext


@click.command("send-reminders")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if today were this date (YYYY-MM-DD); for catching up or checking.",
)
@with_appcontext
def send_reminders_command(today: object) -> None:
    """E-mail focal points whose country's report is due soon, overdue, or overdue by a full
    period. Safe to run more than once a day: a reminder already sent is not sent again."""
    from hub.reporting.reminders import send_reminders

    day = today.date() if today is not None else date.today()  # type: ignore[attr-defined]
    outcome = send_reminders(day)
    for reminder, emails in outcome.sent:
        click.echo(
            f"sent {reminder.kind.value} ({reminder.country.iso3}, due {reminder.due_on}) "
            f"to {len(emails)} focal point(s)"
        )
    for reminder in outcome.skipped_no_recipient:
        click.echo(
            f"no active focal point for {reminder.country.iso3}: {reminder.kind.value} not sent",
            err=True,
        )
    for reminder in outcome.failed:
        click.echo(
            f"mail failed for {reminder.country.iso3} ({reminder.kind.value}); will retry",
            err=True,
        )
    click.echo(f"reminders sent: {len(outcome.sent)}")
    if outcome.failed:
        raise SystemExit(1)


def register(group: click.Group) -> None:
    group.add_command(send_reminders_command)
