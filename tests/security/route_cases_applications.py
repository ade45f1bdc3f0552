"""Requests for the expression-of-interest and review routes of the route matrix (policy in
route_policy.d/applications.yml)."""

from __future__ import annotations

import itertools
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import delete, select

from hub.applications import antispam, review, submission
from hub.applications.models import (
    Application,
    ApplicationNote,
    ApplicationStatus,
    Commitment,
)
from hub.applications.ranking import CRITERIA
from hub.countries.models import Country, PartnershipStatus
from hub.documents import files
from hub.extensions import db
from hub.ratelimit import RateLimitHit
from tests.security.route_matrix import PDF, WORLD_SETUP, Call, World, case, current

_reserved: set[str] = set()  # countries a built (not yet sent) application form will use
_weights = itertools.count(1)


def _free_country() -> str:
    """A country that is not a partner and has never applied, so a new application is allowed."""
    applied = select(Application.country_id)
    for iso3 in db.session.scalars(
        select(Country.iso3)
        .where(Country.partnership_status == PartnershipStatus.NONE, Country.id.not_in(applied))
        .order_by(Country.iso3)
    ):
        if iso3 not in _reserved:
            _reserved.add(iso3)
            return iso3
    raise AssertionError("no country left to apply for")


def _application(status: ApplicationStatus = ApplicationStatus.RECEIVED, *, pdf: bool = False):
    """An application received through the service (from an address of its own, so the
    per-address limit of the public form is not touched), then put in ``status``."""
    tag = uuid.uuid4().hex[:8]
    data = submission.ApplicationInput(
        country_iso3=_free_country(),
        official_name="Matrix Official",
        official_title="Minister",
        official_institution="Ministry",
        focal_points=[
            submission.FocalPointInput("Matrix Focal", "", "", f"eoi-{tag}@example.org", "")
        ],
        description="Our frameworks.",
        initiatives="One",
        commitment=Commitment.MINISTER,
        engagement_levels=["align"],
    )
    application = submission.submit(data, ip=f"matrix-{tag}").application
    application.status = status
    if pdf:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "eoi.pdf"
            source.write_bytes(PDF)
            kept = files.store_pdf(source)
        application.pdf_stored_name, application.pdf_filename = kept.stored_name, "eoi.pdf"
        application.pdf_size = kept.size
    db.session.commit()
    return application.id, application.version


def _world_applications(w: World) -> None:
    """Applications the GET pages show, made with the world: the T-13 crawl counts any write
    made while it builds a GET request as a write by that GET."""
    w.applications = {  # type: ignore[attr-defined]
        "received": _application()[0],
        "with a pdf": _application(pdf=True)[0],
    }


WORLD_SETUP.append(_world_applications)


@case("applications.apply", "GET")
def _apply_page(w: World, actor: str) -> Call:
    return Call("/applications/apply")


@case("applications.submitted", "GET")
def _submitted(w: World, actor: str) -> Call:
    return Call("/applications/submitted")


@case("applications.apply", "POST")
def _apply(w: World, actor: str) -> Call:
    iso3 = _free_country()
    # The per-address limit is tested in tests/applications; here every actor shares 127.0.0.1.
    db.session.execute(delete(RateLimitHit))
    db.session.commit()

    def data() -> dict:
        return {
            "country": iso3,
            "official_name": "Matrix Official",
            "official_title": "Minister",
            "official_institution": "Ministry",
            "focal_points-0-name": "Matrix Focal",
            "focal_points-0-email": f"apply-{iso3.lower()}@example.org",
            "description": "Our frameworks.",
            "commitment": "minister",
            "engagement_levels": "align",
            "leave_empty": "",
            "form_time": antispam.form_token(time.time() - 60),
        }

    def effect() -> bool:
        db.session.expire_all()
        country = db.session.scalar(select(Country).where(Country.iso3 == iso3))
        return submission.open_application(country) is not None

    return Call("/applications/apply", data, effect=effect)


case("applications.review_queue", "GET")(lambda w, actor: Call("/applications/review"))
case("applications.priority", "GET")(lambda w, actor: Call("/applications/review/priority"))


@case("applications.review_detail", "GET")
def _detail(w: World, actor: str) -> Call:
    return Call(f"/applications/review/{w.applications['received']}")  # type: ignore[attr-defined]


@case("applications.review_pdf", "GET")
def _pdf(w: World, actor: str) -> Call:
    return Call(f"/applications/review/{w.applications['with a pdf']}/pdf")  # type: ignore[attr-defined]


@case("applications.add_note", "POST")
def _note(w: World, actor: str) -> Call:
    application_id, _version = _application()
    body = f"Matrix note {uuid.uuid4().hex[:8]}"
    return Call(
        f"/applications/review/{application_id}/notes",
        lambda: {"body": body},
        effect=lambda: (
            db.session.scalar(select(ApplicationNote.id).where(ApplicationNote.body == body))
            is not None
        ),
    )


def _step(start: ApplicationStatus, to: ApplicationStatus):
    def build(w: World, actor: str) -> Call:
        application_id, version = _application(start)
        return Call(
            f"/applications/review/{application_id}/status",
            lambda: {"to": to.value, "message": "Matrix message.", "version": str(version)},
            effect=lambda: current(Application, application_id).status is to,
        )

    return build


case("applications.change_status", "POST", "start the review")(
    _step(ApplicationStatus.RECEIVED, ApplicationStatus.UNDER_REVIEW)
)
case("applications.change_status", "POST", "accept an application under review")(
    _step(ApplicationStatus.UNDER_REVIEW, ApplicationStatus.ACCEPTED)
)


@case("applications.save_weights", "POST")
def _weights_case(w: World, actor: str) -> Call:
    value = round(next(_weights) % 97 / 10, 1)
    seen = review.weights_fingerprint(review.weights())

    def effect() -> bool:
        db.session.expire_all()
        return all(weight == value for weight in review.weights().values())

    return Call(
        "/applications/review/priority",
        lambda: {"seen": seen, **{c: str(value) for c in CRITERIA}},
        effect=effect,
    )
