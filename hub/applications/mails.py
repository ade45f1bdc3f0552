"""The e-mails an applicant receives: the receipt and one at each step of the review.

They go to the focal points' addresses named in the application. The Secretariat's own message is
quoted as written; internal notes are never included.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from hub.applications.labels import STATUS_LABELS
from hub.applications.models import Application, ApplicationStatus
from hub.mail import send_mail


def review_path(application: Application) -> str:
    """The Secretariat's page for ``application`` (no request context needed)."""
    adapter = current_app.url_map.bind("")
    return adapter.build("applications.review_detail", {"application_id": application.id})


def _consents(application: Application) -> list[tuple[str, bool]]:
    """Each part of the application that may be published, and whether the applicant agreed."""
    return [
        (_("the senior official's name, title and institution"), application.consent_official),
        (_("the focal points' names and contact details"), application.consent_focal_points),
        (_("the description of policy frameworks and priorities"), application.consent_description),
    ]


def send_receipt(application: Application) -> bool:
    country = application.country.name
    body = render_template(
        "mail/application_receipt.txt",
        country=country,
        ref=application.reference,
        official=application.official_name,
        title=application.official_title,
        institution=application.official_institution,
        consents=_consents(application),
    )
    subject = _(
        "Expression of interest received: %(country)s (%(ref)s)",
        country=country,
        ref=application.reference,
    )
    return send_mail(application.emails, subject, body)


def send_step(application: Application, status: ApplicationStatus, message: str) -> bool:
    """The e-mail for one status change, with the Secretariat's message."""
    body = render_template(
        "mail/application_step.txt",
        step=status.value,
        country=application.country.name,
        message=message.strip(),
        ref=application.reference,
    )
    subject = _(
        "Your expression of interest (%(ref)s): %(status)s",
        ref=application.reference,
        status=str(STATUS_LABELS[status]).lower(),
    )
    return send_mail(application.emails, subject, body)
