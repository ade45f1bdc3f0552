"""Accepting an expression of interest: the country becomes a member, its profile is made from
the consented parts only, and its focal points are invited.

Consent decides what is copied: the official only with ``consent_official``, the focal points
(and so every address and phone number) only with ``consent_focal_points``, the description only
with ``consent_description``. Invitations do not depend on consent: they are how the Secretariat
gives the focal points their accounts, and they publish nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from hub.accounts import service as accounts
from hub.accounts.models import Role, User
from hub.applications.models import Application
from hub.countries.models import ContactRole, CountryContact, PartnershipStatus
from hub.extensions import db

log = logging.getLogger(__name__)


@dataclass
class Invitee:
    email: str
    name: str


def make_member(application: Application, today: date | None = None) -> list[Invitee]:
    """Turn the country into a member (in the caller's transaction); returns the focal points
    who need an account. Existing contacts are replaced by the accepted application's."""
    country = application.country
    country.partnership_status = PartnershipStatus.MEMBER
    country.member_since = today or date.today()
    country.engagement_levels = list(application.engagement_levels)
    country.priorities = application.description if application.consent_description else ""
    country.contacts.clear()
    if application.consent_official:
        country.contacts.append(
            CountryContact(
                role=ContactRole.OFFICIAL,
                name=application.official_name,
                title=application.official_title,
                institution=application.official_institution,
                position=0,
            )
        )
    if application.consent_focal_points:
        for position, fp in enumerate(application.focal_points):
            country.contacts.append(
                CountryContact(
                    role=ContactRole.FOCAL_POINT,
                    name=fp.name,
                    title=fp.title,
                    institution=fp.institution,
                    email=fp.email,
                    phone=fp.phone,
                    position=position,
                )
            )
    invitees, seen = [], set()
    for fp in application.focal_points:
        email = accounts.normalize_email(fp.email)
        if email in seen or "@" not in email:
            continue
        seen.add(email)
        invitees.append(Invitee(email, fp.name))
    db.session.flush()
    return invitees


def create_accounts(
    application: Application, invitees: list[Invitee]
) -> tuple[list[str], list[str]]:
    """Create a focal-point account for each invitee who has none; (created, already had one).

    The accounts join the acceptance's transaction: both are committed together, or neither.
    """
    created, existing = [], []
    for invitee in invitees:
        if accounts.find_by_email(invitee.email) is not None:
            existing.append(invitee.email)
            continue
        accounts.create_user(
            email=invitee.email,
            name=invitee.name,
            role=Role.FOCAL_POINT,
            country_iso3=application.country.iso3,
            by=None,  # the Secretariat's acceptance is the authority here, not account management
            commit=False,
        )
        created.append(invitee.email)
    return created, existing


def send_invitations(emails: list[str]) -> list[str]:
    """Invite each new account; returns the addresses whose invitation could not be sent."""
    failed = []
    for email in emails:
        user: User | None = accounts.find_by_email(email)
        if user is None or not accounts.send_invitation(user, by=None):
            failed.append(email)
    return failed
