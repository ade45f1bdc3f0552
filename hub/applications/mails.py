"""The e-mails an applicant receives: the receipt and one at each step of the review.

They go to the focal points' addresses named in the application. The Secretariat's own message is
quoted as written; internal notes are never included.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from hub.applications.labels import STATUS_LABELS
from hub.applications.models import Application, ApplicationStatus
from hub.mail import send_mail


def review_path(application: Application) -> str:
    """The Secretariat's page for ``application`` (no request context needed)."""
    adapter = current_app.url_map.bind("")
    return adapter.build("applications.review_detail", {"application_id": application.id})


def _consent_lines(application: Application) -> str:
    parts = [
        (_("the senior official's name, title and institution"), application.consent_official),
        (_("the focal points' names and contact details"), application.consent_focal_points),
        (_("the description of policy frameworks and priorities"), application.consent_description),
    ]
    lines = [
        f"- {label}: " + (_("may be published") if given else _("will never be published"))
        for label, given in parts
    ]
    return "\n".join(lines)


def send_receipt(application: Application) -> bool:
    country = application.country.name
    body = _(
        "Dear focal point,\n\n"
        "The Secretariat of the Partnership in Action on STI for SDGs Roadmaps (UN DESA) has "
        "received the expression of interest of %(country)s.\n\n"
        "Reference: %(ref)s\n"
        "Senior official: %(official)s, %(title)s, %(institution)s\n\n"
        "What you agreed may be published if the application is accepted:\n%(consent)s\n\n"
        "What happens next: the Secretariat reviews the application and writes to you at each "
        "step. Quote the reference above when you write to us.\n",
        country=country,
        ref=application.reference,
        official=application.official_name,
        title=application.official_title,
        institution=application.official_institution,
        consent=_consent_lines(application),
    )
    subject = _(
        "Expression of interest received: %(country)s (%(ref)s)",
        country=country,
        ref=application.reference,
    )
    return send_mail(application.emails, subject, body)


def _step_text(application: Application, status: ApplicationStatus) -> str:
    country = application.country.name
    texts = {
        ApplicationStatus.UNDER_REVIEW: _(
            "The Secretariat has started reviewing the expression of interest of %(country)s.",
            country=country,
        ),
        ApplicationStatus.INFO_REQUESTED: _(
            "The Secretariat needs more information to review the expression of interest of "
            "%(country)s. What is needed:",
            country=country,
        ),
        ApplicationStatus.ACCEPTED: _(
            "We are glad to tell you that %(country)s has been accepted as a member of the "
            "Partnership. Each focal point without an account on the Knowledge Hub receives a "
            "separate invitation to set a password. The parts of the application you agreed to "
            "publish now form the country's profile.",
            country=country,
        ),
        ApplicationStatus.WAITLISTED: _(
            "The expression of interest of %(country)s has been placed on the waiting list. The "
            "Secretariat will write again when a place opens.",
            country=country,
        ),
        ApplicationStatus.DECLINED: _(
            "After review, the Secretariat is not able to accept the expression of interest of "
            "%(country)s at this time.",
            country=country,
        ),
    }
    return texts[status]


def send_step(application: Application, status: ApplicationStatus, message: str) -> bool:
    """The e-mail for one status change, with the Secretariat's message."""
    parts = [_("Dear focal point,"), _step_text(application, status)]
    if message.strip():
        if status is not ApplicationStatus.INFO_REQUESTED:
            parts.append(_("Message from the Secretariat:"))
        parts.append(message.strip())
    if status is ApplicationStatus.INFO_REQUESTED:
        parts.append(
            _(
                "Please reply to this e-mail with the information, quoting %(ref)s.",
                ref=application.reference,
            )
        )
    parts.append(_("Reference: %(ref)s", ref=application.reference))
    subject = _(
        "Your expression of interest (%(ref)s): %(status)s",
        ref=application.reference,
        status=str(STATUS_LABELS[status]).lower(),
    )
    return send_mail(application.emails, subject, "\n\n".join(parts) + "\n")
