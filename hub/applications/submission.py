"""Receiving an expression of interest: the rules a submission must meet, and its PDF."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.accounts.models import Role, User
from hub.applications import antispam, mails
from hub.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationFocalPoint,
    ApplicationStatus,
    Commitment,
)
from hub.countries.models import Country, Engagement
from hub.documents import files
from hub.documents.extraction import extract_text
from hub.errors import Conflict, Invalid
from hub.extensions import db
from hub.notifications.models import Category
from hub.notifications.service import notify_many

log = logging.getLogger(__name__)

DESCRIPTION_MAX = 12_000  # about two pages
INITIATIVES_MAX = 4_000
MAX_FOCAL_POINTS = 5
KEPT_PDF_SALT = "application-kept-pdf"


@dataclass
class FocalPointInput:
    name: str
    title: str
    institution: str
    email: str
    phone: str = ""


@dataclass
class ApplicationInput:
    country_iso3: str
    official_name: str
    official_title: str
    official_institution: str
    focal_points: list[FocalPointInput]
    description: str
    initiatives: str
    commitment: Commitment
    engagement_levels: list[str]
    consent_official: bool = False
    consent_focal_points: bool = False
    consent_description: bool = False


@dataclass
class KeptPdf:
    """A PDF already checked and stored, waiting for its form to be accepted."""

    stored_name: str
    filename: str
    size: int

    def token(self) -> str:
        """Carried in the re-rendered form, so a valid PDF is not lost to another field's error."""
        return _kept_serializer().dumps([self.stored_name, self.filename, self.size])


@dataclass
class Received:
    application: Application
    receipt_sent: bool
    warnings: list[str] = field(default_factory=list)


def _kept_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=KEPT_PDF_SALT)


def kept_pdf_from_token(token: str | None) -> KeptPdf | None:
    """The PDF a re-rendered form still carries; a forged or stale token is ignored."""
    if not token:
        return None
    try:
        stored_name, filename, size = _kept_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    try:
        if not files.path_for(stored_name).is_file():
            return None
    except ValueError:
        return None
    return KeptPdf(stored_name, filename, int(size))


def keep_pdf(source: Path, filename: str) -> KeptPdf:
    """Check an uploaded file is a readable PDF within the size limit and store it.

    Raises Invalid with a message for the applicant; the rest of their form is kept by the caller.
    The header check catches other file types; opening it in the extraction sandbox catches a
    damaged PDF, which the Secretariat could not read either.
    """
    name = Path(filename or "document.pdf").name[:200] or "document.pdf"
    head = source.read_bytes()[:8]
    if not files.is_pdf(head):
        raise Invalid(_("“%(name)s” is not a PDF file. Attach a PDF or leave it out.", name=name))
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if source.stat().st_size > limit:
        raise Invalid(
            _("“%(name)s” is larger than %(mb)d MB.", name=name, mb=limit // (1024 * 1024))
        )
    if not extract_text(source).ok:
        raise Invalid(
            _(
                "“%(name)s” could not be opened: it may be damaged or password-protected. "
                "Attach another PDF or leave it out.",
                name=name,
            )
        )
    stored = files.store_pdf(source)
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return KeptPdf(stored.stored_name, name, stored.size)


def open_application(country: Country) -> Application | None:
    return db.session.scalar(select(Application).where(Application.open_country_id == country.id))


def check_country(iso3: str) -> Country:
    """The country an application may be made for, or Invalid/Conflict saying why not."""
    country = db.session.scalar(select(Country).where(Country.iso3 == (iso3 or "").upper()))
    if country is None:
        raise Invalid(_("Choose the country that applies."))
    if country.is_partner:
        raise Invalid(
            _(
                "%(country)s is already a %(status)s country of the Partnership, so it does not "
                "need to apply. Its focal points can update its profile after logging in.",
                country=country.name,
                status=_("pilot") if country.partnership_status.value == "pilot" else _("member"),
            )
        )
    if open_application(country) is not None:
        raise Conflict(_open_message(country))
    return country


def _open_message(country: Country) -> str:
    return _(
        "%(country)s already has an open expression of interest with the Secretariat. A country "
        "may have one open application at a time; its focal points will hear from the "
        "Secretariat, or can reply to the receipt they were sent.",
        country=country.name,
    )


def _check(data: ApplicationInput) -> None:
    if not data.focal_points:
        raise Invalid(_("Name at least one focal point."))
    if len(data.focal_points) > MAX_FOCAL_POINTS:
        raise Invalid(_("Name at most %(n)d focal points.", n=MAX_FOCAL_POINTS))
    if len(data.description) > DESCRIPTION_MAX:
        raise Invalid(
            _(
                "The description has %(n)d characters; the limit is %(max)d (about two pages).",
                n=len(data.description),
                max=DESCRIPTION_MAX,
            )
        )
    known = {e.value for e in Engagement}
    if not data.engagement_levels or not set(data.engagement_levels) <= known:
        raise Invalid(_("Choose at least one level of engagement."))


def submit(
    data: ApplicationInput, *, ip: str, by: Any = None, pdf: KeptPdf | None = None
) -> Received:
    """Record an expression of interest and send its receipt to the focal points.

    The anti-spam checks of the form (honeypot, fill time) are the view's; the rate limit and
    every rule about the content are checked here, so no other caller can skip them.
    """
    antispam.check_rate_limit(ip)
    country = check_country(data.country_iso3)
    _check(data)
    submitter = by if isinstance(by, User) else None
    application = Application(
        country=country,
        open_country_id=country.id,
        status=ApplicationStatus.RECEIVED,
        official_name=data.official_name.strip(),
        official_title=data.official_title.strip(),
        official_institution=data.official_institution.strip(),
        description=data.description.replace("\r\n", "\n").strip(),
        initiatives=data.initiatives.replace("\r\n", "\n").strip(),
        commitment=data.commitment,
        engagement_levels=[e.value for e in Engagement if e.value in data.engagement_levels],
        consent_official=data.consent_official,
        consent_focal_points=data.consent_focal_points,
        consent_description=data.consent_description,
        submitted_by=submitter,
        pdf_filename=pdf.filename if pdf else None,
        pdf_stored_name=pdf.stored_name if pdf else None,
        pdf_size=pdf.size if pdf else None,
    )
    for position, fp in enumerate(data.focal_points):
        application.focal_points.append(
            ApplicationFocalPoint(
                position=position,
                name=fp.name.strip(),
                title=fp.title.strip(),
                institution=fp.institution.strip(),
                email=fp.email.strip().lower(),
                phone=fp.phone.strip(),
            )
        )
    application.events.append(
        ApplicationEvent(from_status=None, to_status=ApplicationStatus.RECEIVED, author=submitter)
    )
    db.session.add(application)
    antispam.record_submission(ip)
    try:
        db.session.flush()
    except IntegrityError:
        # Another application for this country was accepted a moment ago.
        db.session.rollback()
        raise Conflict(_open_message(country)) from None
    staff = db.session.scalars(
        select(User.id).where(User.role.in_((Role.EDITOR, Role.ADMIN)), User.is_active)
    ).all()
    notify_many(
        staff,
        Category.APPLICATION,
        _(
            "New expression of interest from %(country)s (%(ref)s).",
            country=country.name,
            ref=application.reference,
        ),
        mails.review_path(application),
    )
    db.session.commit()
    sent = mails.send_receipt(application)
    return Received(application, sent)
