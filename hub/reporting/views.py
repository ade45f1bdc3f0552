"""HTTP views of reporting: thin, the rules live in the service modules."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from hub import permissions
from hub.outcomes import attempt
from hub.permissions import Action
from hub.reporting import service
from hub.reporting.forms import ScheduleForm

bp = Blueprint("reporting", __name__, url_prefix="/reporting")

# Text and a symbol for each status: the colour is never the only signal.
STATUS_LABELS = {
    "green": (_l("Reported this period"), "✓"),
    "due": (_l("Due"), "…"),
    "overdue": (_l("Overdue"), "!"),
    "red": (_l("Overdue by a full period"), "✗"),
    "not_started": (_l("No reporting period yet"), "–"),
}


@bp.app_context_processor
def _labels() -> dict:
    return {"reporting_labels": STATUS_LABELS}


@bp.get("/")
def index():  # noqa: ANN201
    today = date.today()
    rows = service.statuses(service.partner_countries(), today=today, viewer=current_user)
    ordered = sorted(rows.values(), key=lambda r: (r.country.region, r.country.name))
    return render_template(
        "reporting/index.html",
        rows=ordered,
        counts=service.summary(ordered),
        setting=service.current_setting(),
        schedule=service.current_schedule(),
        period=service.current_period(today),
    )


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():  # noqa: ANN201
    permissions.require(current_user, Action.REPORTING_MANAGE)
    current = service.current_setting()
    form = ScheduleForm(obj=current if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        with attempt() as outcome:
            service.set_schedule(
                months=form.months.data,
                starts_on=form.starts_on.data,
                note=form.note.data or "",
                by=current_user,
            )
        if outcome.failed:
            status = outcome.status
        else:
            flash(_("The reporting period is set. Statuses and reminders follow it from now on."))
            return redirect(url_for("reporting.index"))
    elif request.method == "POST":
        status = 400
    return render_template(
        "reporting/settings.html", form=form, current=current, history=service.history()
    ), status
