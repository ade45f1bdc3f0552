"""``flask hub send-digests``: the e-mail digests that are due, now (the job queue also runs
them hourly)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from hub.notifications.digest import send_digests


@click.command("send-digests")
@with_appcontext
def send_digests_command() -> None:
    """Send the daily and weekly e-mail digests that are due. Safe to run again at any time:
    only notifications not yet sent go out. Run it hourly or daily; exits 1 if a mail failed
    (those notifications are kept for the next run)."""
    report = send_digests()
    click.echo(
        f"Digests sent: {len(report.sent)}; failed (kept for the next run): "
        f"{len(report.failed)}; nothing new: {report.nothing_new}; not due: {report.not_due}"
    )
    if report.failed:
        click.get_current_context().exit(1)
