"""Accepting an application: the country becomes a member with a profile made of the consented
parts only, and its focal points are invited once each."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from hub.accounts.models import Role, User
from hub.applications import review, submission
from hub.applications.models import ApplicationStatus
from hub.countries.models import ContactRole, PartnershipStatus
from hub.extensions import db
from hub.notifications.models import Notification
from tests import factories
from tests.applications.conftest import make_application
from tests.web import login, post

S = ApplicationStatus
TWO = [
    submission.FocalPointInput(
        "Chikondi Phiri", "Director", "NCST", "chikondi@example.org", "+265 1"
    ),
    submission.FocalPointInput(
        "Tamara Mwale", "Adviser", "Ministry", "tamara@example.org", "+265 2"
    ),
]
SECRET = "Confidential budget figures for the roadmap."


def _accept(app, application, by=None):
    by = by or factories.user(role=Role.EDITOR, country_code=None)
    with app.test_request_context():
        return review.change_status(
            application,
            S.ACCEPTED,
            message="Welcome aboard.",
            expected_version=application.version,
            by=by,
        )


def _users(email: str) -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.email == email))


def test_accepting_with_every_consent_makes_the_full_profile_and_invites_both(app, mail):
    application = make_application(
        "MWI",
        status=S.UNDER_REVIEW,
        focal_points=TWO,
        engagement_levels=["align", "showcase"],
        description=SECRET,
    )
    mail.messages.clear()
    result = _accept(app, application)
    db.session.expire_all()
    country = factories.country("MWI")
    assert country.partnership_status is PartnershipStatus.MEMBER
    assert country.member_since == date.today()
    assert country.engagement_levels == ["align", "showcase"]
    assert country.priorities == SECRET
    contacts = [(c.role, c.name, c.email, c.phone) for c in country.contacts]
    assert contacts == [
        (ContactRole.FOCAL_POINT, "Chikondi Phiri", "chikondi@example.org", "+265 1"),
        (ContactRole.FOCAL_POINT, "Tamara Mwale", "tamara@example.org", "+265 2"),
        (ContactRole.OFFICIAL, "Amina Banda", "", ""),
    ]  # by role, then position (CountryContact ordering)
    assert result.invited == ["chikondi@example.org", "tamara@example.org"]
    for email in result.invited:
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.role is Role.FOCAL_POINT and user.country.iso3 == "MWI"
        assert user.password_hash is None
    messages = mail.wait_for(3)
    decision = [m for m in messages if application.reference in m["Subject"]]
    assert len(decision) == 1 and "accepted" in decision[0]["Subject"]
    assert "Welcome aboard." in decision[0].get_content()
    invitations = sorted(m["To"] for m in messages if "invitation" in m["Subject"].lower())
    assert invitations == ["chikondi@example.org", "tamara@example.org"]
    assert db.session.get(type(application), application.id).open_country_id is None


def test_accepting_without_consent_publishes_nothing_but_still_invites(app, mail):
    application = make_application(
        "MWI",
        status=S.UNDER_REVIEW,
        description=SECRET,
        consent_official=False,
        consent_focal_points=False,
        consent_description=False,
    )
    result = _accept(app, application)
    db.session.expire_all()
    country = factories.country("MWI")
    assert country.partnership_status is PartnershipStatus.MEMBER
    assert country.contacts == [] and country.priorities == ""
    assert country.engagement_levels == ["align"]
    assert result.invited == ["chikondi@example.org"]
    public = app.test_client().get("/countries/mwi").data.decode()
    assert SECRET not in public and "chikondi@example.org" not in public
    assert "Amina Banda" not in public


def test_only_the_consented_official_is_copied(app, mail):
    application = make_application(
        "MWI", status=S.WAITLISTED, consent_focal_points=False, consent_description=False
    )
    _accept(app, application)
    db.session.expire_all()
    country = factories.country("MWI")
    assert [(c.role, c.name, c.title) for c in country.contacts] == [
        (ContactRole.OFFICIAL, "Amina Banda", "Permanent Secretary")
    ]
    assert all(c.email == "" and c.phone == "" for c in country.contacts)


def test_only_the_consented_focal_points_are_copied(app, mail):
    application = make_application(
        "MWI",
        status=S.UNDER_REVIEW,
        consent_official=False,
        consent_description=False,
        description=SECRET,
    )
    _accept(app, application)
    db.session.expire_all()
    country = factories.country("MWI")
    assert [c.role for c in country.contacts] == [ContactRole.FOCAL_POINT]
    assert country.priorities == ""


def test_an_address_that_already_has_an_account_is_not_duplicated(app, mail):
    existing = factories.user(
        role=Role.FOCAL_POINT, country_code="MWI", email="chikondi@example.org"
    )
    same_twice = [
        TWO[0],
        TWO[1],
        submission.FocalPointInput("T. Mwale", "", "", "TAMARA@example.org"),
    ]
    application = make_application("MWI", status=S.UNDER_REVIEW, focal_points=same_twice)
    mail.messages.clear()
    result = _accept(app, application)
    assert result.existing == ["chikondi@example.org"]
    assert result.invited == ["tamara@example.org"]
    assert _users("chikondi@example.org") == 1 and _users("tamara@example.org") == 1
    invitations = [m for m in mail.wait_for(2) if "invitation" in m["Subject"].lower()]
    assert [m["To"] for m in invitations] == ["tamara@example.org"]
    told = db.session.scalar(select(Notification).where(Notification.user_id == existing.id))
    assert told is not None and "Accepted" in told.message


def test_accepting_from_the_page_reports_the_invitations(app, mail):
    application = make_application("MWI", status=S.UNDER_REVIEW, focal_points=TWO)
    client = app.test_client()
    login(client, factories.user(role=Role.EDITOR, country_code=None))
    url = f"/applications/review/{application.id}"
    response = post(
        client,
        url + "/status",
        {"to": "accepted", "message": "", "version": str(application.version)},
        form_url=url,
        follow_redirects=True,
    )
    html = response.data.decode()
    assert "Invitations sent to: chikondi@example.org, tamara@example.org." in html
    assert "This application is closed" in html
    assert factories.country("MWI").partnership_status is PartnershipStatus.MEMBER
