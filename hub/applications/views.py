"""HTTP views of applications: thin, the rules live in the service modules."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from hub import audit
from hub.applications import antispam, review, submission
from hub.applications.forms import (
    ENGAGEMENT_LABELS,
    ApplicationForm,
    NoteForm,
    StatusForm,
    WeightsForm,
)
from hub.applications.models import Application, ApplicationStatus
from hub.applications.ranking import COMMITMENT_LABELS, CRITERIA, CRITERION_LABELS, MAX_WEIGHT
from hub.applications.submission import KeptPdf
from hub.countries.models import Country
from hub.documents import files
from hub.errors import HubError, NotFound
from hub.extensions import db
from hub.outcomes import attempt
from hub.permissions import Action, require

bp = Blueprint("applications", __name__, url_prefix="/applications")

SUBMITTED_KEY = "application_submitted"


def _country_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Country.iso3, Country.name).order_by(Country.name)).all()
    return [("", _("— Choose a country —"))] + [(iso3, name) for iso3, name in rows]


def _apply_page(
    form: ApplicationForm,
    *,
    status: int = 200,
    error: str | None = None,
    kept: KeptPdf | None = None,
    fresh_token: bool = False,
) -> ResponseReturnValue:
    if fresh_token or not form.form_time.data:
        form.form_time.data = antispam.form_token()
    form.kept_pdf.data = kept.token() if kept else ""
    return render_template(
        "applications/apply.html",
        form=form,
        error=error,
        kept=kept,
        description_max=submission.DESCRIPTION_MAX,
        max_focal_points=submission.MAX_FOCAL_POINTS,
    ), status


def _take_pdf(form: ApplicationForm):  # noqa: ANN202
    """The PDF of this submission: a new upload (checked and stored) or the one kept from an
    earlier attempt. Returns (kept or None, error message or None)."""
    storage = form.pdf.data
    if storage is not None and getattr(storage, "filename", ""):
        ip = request.remote_addr or ""
        with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
            storage.save(tmp.name)
            with attempt(shown_in_page=(HubError,)) as outcome:
                antispam.check_honeypot(form.leave_empty.data)
                antispam.check_upload_limit(ip)
                kept = submission.keep_pdf(Path(tmp.name), storage.filename)
                antispam.record_upload(ip)
            if outcome.failed:
                reason = outcome.message
                audit.log("application_pdf", "rejected", obj="application", reason=reason)
                return None, reason
        return kept, None
    return submission.kept_pdf_from_token(form.kept_pdf.data), None


@bp.route("/apply", methods=["GET", "POST"])
def apply():  # noqa: ANN201
    form = ApplicationForm()
    form.country.choices = _country_choices()
    if request.method == "GET":
        user = current_user if current_user.is_authenticated else None
        if user is not None and user.country is not None and not form.country.data:
            form.country.data = user.country.iso3
        return _apply_page(form, fresh_token=True)
    kept, pdf_error = _take_pdf(form)
    if form.add_focal_point.data:
        # "Add another focal point" without JavaScript: the same form with one more row.
        if len(form.focal_points) < submission.MAX_FOCAL_POINTS:
            form.focal_points.append_entry()
        else:
            flash(_("At most %(n)d focal points can be named.", n=submission.MAX_FOCAL_POINTS))
        if pdf_error:
            form.pdf.errors = [pdf_error]
        return _apply_page(form, kept=kept)
    valid = form.validate_on_submit()
    if pdf_error:
        form.pdf.errors = [*form.pdf.errors, pdf_error]
        valid = False
    if not valid:
        return _apply_page(
            form,
            status=400,
            kept=kept,
            error=_("Some answers need attention; they are marked below. Nothing was lost."),
        )
    with attempt(shown_in_page=(HubError,)) as suspicion:
        antispam.check_honeypot(form.leave_empty.data)
        antispam.check_form_token(form.form_time.data)
    if suspicion.failed:
        audit.log("application", "spam_suspected", obj="application", reason=suspicion.message)
        return _apply_page(form, status=400, error=suspicion.message, kept=kept, fresh_token=True)
    with attempt(shown_in_page=(HubError,)) as outcome:
        received = submission.submit(
            form.to_input(), ip=request.remote_addr or "", by=current_user, pdf=kept
        )
    if outcome.failed:
        return _apply_page(form, status=outcome.status, error=outcome.message, kept=kept)
    application = received.application
    audit.log("application", "received", obj=application, country=application.country.iso3)
    session[SUBMITTED_KEY] = {
        "reference": application.reference,
        "country": application.country.name,
        "receipt_sent": received.receipt_sent,
        "emails": application.emails,
    }
    return redirect(url_for("applications.submitted")), 303


@bp.get("/submitted")
def submitted():  # noqa: ANN201
    """The confirmation shows only what this browser sent (kept in its own session)."""
    return render_template("applications/submitted.html", sent=session.get(SUBMITTED_KEY))


# --- the Secretariat's review ---


def _status_arg() -> ApplicationStatus | None:
    try:
        return ApplicationStatus(request.args.get("status", ""))
    except ValueError:
        return None


@bp.get("/review")
@login_required
def review_queue():  # noqa: ANN201
    require(current_user, Action.APPLICATION_REVIEW)
    status = _status_arg()
    return render_template(
        "applications/queue.html",
        applications=review.queue(status, by=current_user),
        counts=review.counts(by=current_user),
        status=status,
        status_labels=review.STATUS_LABELS,
    )


def _detail_page(
    application: Application,
    *,
    status: int = 200,
    note_form: NoteForm | None = None,
    status_form: StatusForm | None = None,
    error: str | None = None,
) -> ResponseReturnValue:
    status_form = status_form or StatusForm(formdata=None)
    if status_form.version.data in (None, ""):
        status_form.version.data = str(application.version)
    return render_template(
        "applications/show.html",
        application=application,
        note_form=note_form or NoteForm(formdata=None),
        status_form=status_form,
        steps=review.allowed_steps(application),
        error=error,
        status_labels=review.STATUS_LABELS,
        action_labels=review.ACTION_LABELS,
        engagement_labels=ENGAGEMENT_LABELS,
        commitment_labels=COMMITMENT_LABELS,
    ), status


@bp.get("/review/<int:application_id>")
@login_required
def review_detail(application_id: int):  # noqa: ANN201
    return _detail_page(review.get(application_id, by=current_user))


@bp.post("/review/<int:application_id>/notes")
@login_required
def add_note(application_id: int):  # noqa: ANN201
    application = review.get(application_id, by=current_user)
    form = NoteForm()
    if not form.validate_on_submit():
        return _detail_page(
            application, status=400, note_form=form, error=_("Write the note before saving it.")
        )
    with attempt(shown_in_page=(HubError,)) as outcome:
        review.add_note(application, form.body.data, by=current_user)
    if outcome.failed:
        return _detail_page(
            application, status=outcome.status, note_form=form, error=outcome.message
        )
    flash(_("Note saved."))
    return redirect(url_for("applications.review_detail", application_id=application_id)), 303


@bp.post("/review/<int:application_id>/status")
@login_required
def change_status(application_id: int):  # noqa: ANN201
    application = review.get(application_id, by=current_user)
    form = StatusForm()
    try:
        version = int(form.version.data or "")
    except ValueError:
        version = None
    if not form.validate_on_submit():
        return _detail_page(
            application,
            status=400,
            status_form=form,
            error=_("The form could not be read; please send it again."),
        )
    to = ApplicationStatus(form.to.data)
    with attempt(shown_in_page=(HubError,)) as outcome:
        result = review.change_status(
            application,
            to,
            message=form.message.data or "",
            expected_version=version,
            by=current_user,
        )
    if outcome.failed:
        application = review.get(application_id, by=current_user)
        form.version.data = str(application.version)
        return _detail_page(
            application, status=outcome.status, status_form=form, error=outcome.message
        )
    audit.log("application_status", to.value, user=current_user, obj=application)
    flash(_("Status changed to “%(s)s”.", s=review.STATUS_LABELS[to]))
    if not result.mail_sent:
        flash(_("The e-mail to the applicant could not be sent; please write to them."), "error")
    if result.invited:
        flash(_("Invitations sent to: %(who)s.", who=", ".join(result.invited)))
    if result.existing:
        flash(
            _(
                "Already had an account (no new invitation): %(who)s.",
                who=", ".join(result.existing),
            )
        )
    if result.invitations_failed:
        flash(
            _(
                "These invitations could not be sent: %(who)s.",
                who=", ".join(result.invitations_failed),
            ),
            "error",
        )
    return redirect(url_for("applications.review_detail", application_id=application_id)), 303


@bp.get("/review/<int:application_id>/pdf")
@login_required
def review_pdf(application_id: int):  # noqa: ANN201
    application = review.get(application_id, by=current_user)
    if not application.pdf_stored_name:
        raise NotFound(_("This application has no PDF."))
    response = files.send_pdf(
        application.pdf_stored_name,
        application.pdf_filename or "application.pdf",
        missing=_("The file is missing from storage."),
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _priority_page(*, status: int = 200, error: str | None = None, entered=None):  # noqa: ANN001, ANN202
    current = review.weights()
    form = WeightsForm(formdata=None)
    form.seen.data = review.weights_fingerprint(current)
    return render_template(
        "applications/priority.html",
        ranked=review.priority(by=current_user),
        weights=entered or current,
        form=form,
        criteria=CRITERIA,
        criterion_labels=CRITERION_LABELS,
        max_weight=MAX_WEIGHT,
        error=error,
    ), status


@bp.get("/review/priority")
@login_required
def priority():  # noqa: ANN201
    require(current_user, Action.APPLICATION_REVIEW)
    return _priority_page()


@bp.post("/review/priority")
@login_required
def save_weights():  # noqa: ANN201
    require(current_user, Action.APPLICATION_REVIEW)
    form = WeightsForm()
    entered = {c: request.form.get(c, "") for c in CRITERIA}
    if not form.validate_on_submit():
        return _priority_page(
            status=400,
            error=_("The form could not be read; please send it again."),
            entered=entered,
        )
    with attempt(shown_in_page=(HubError,)) as outcome:
        review.save_weights(entered, seen=form.seen.data or "", by=current_user)
    if outcome.failed:
        keep = entered if outcome.status != 409 else None
        return _priority_page(status=outcome.status, error=outcome.message, entered=keep)
    audit.log("application_weights", "saved", user=current_user, obj="application_weights")
    flash(_("Weights saved; the ranking below uses them."))
    return redirect(url_for("applications.priority")), 303
