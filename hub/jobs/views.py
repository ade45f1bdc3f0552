"""The administrators' page of background jobs that failed for good, each with a Retry button."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from hub.jobs import failures

bp = Blueprint("jobs", __name__)

# What each job does, in the administrators' words.
JOB_LABELS = {
    "extract_attachment_text": _l("Extract the text of an uploaded PDF"),
    "deliver_mail": _l("Send an e-mail"),
    "resend_mail": _l("Send an e-mail again (its delivery is uncertain)"),
    "send_digests": _l("Send the e-mail digests that are due"),
    "send_reminders": _l("Send the reporting reminders that are due"),
    "recover_unfinished": _l("Queue again the work a stopped worker left"),
    "prune_index_log": _l("Remove old entries of the search index's change log"),
}


@bp.get("/admin/jobs")
@login_required
def failed():  # noqa: ANN201
    rows = failures.given_up(by=current_user)
    return render_template(
        "jobs/failed.html", rows=rows, retrying=failures.retrying(), labels=JOB_LABELS
    )


@bp.post("/admin/jobs/<int:failure_id>/retry")
@login_required
def retry(failure_id: int):  # noqa: ANN201
    row = failures.retry(failure_id, by=current_user)
    label = JOB_LABELS.get(row.name, row.name)
    flash(
        _(
            "“%(job)s” (%(args)s) is back on the queue. If it fails again, it is listed here "
            "again.",
            job=label,
            args=row.args,
        )
    )
    return redirect(url_for("jobs.failed"))
