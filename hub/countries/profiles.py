"""A country's profile page as one viewer may see it: its contacts, engagement, reporting
status, and offers and needs.

The profile gathers what three areas own: countries (contacts, priorities), reporting (the
status) and peer learning (offers and needs, under that area's own visibility rule). It lives
in its own module, above all three, so that none of them imports another to build it:
``hub.peers.service`` looks countries up through ``hub.countries.service``, and the profile
reads peer learning, so keeping both in one module made an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.countries.models import ContactRole, Country, CountryContact, Engagement
from hub.countries.service import profile_token
from hub.peers.models import OfferNeed
from hub.peers.service import offers_and_needs_for
from hub.permissions import Action, can
from hub.reporting.service import CountryStatus, status_of


@dataclass(frozen=True)
class ContactView:
    """A contact as one viewer may see it: e-mail and phone are empty unless the viewer may see
    contact details, so a template cannot show what it was never given."""

    name: str
    title: str
    institution: str
    email: str = ""
    phone: str = ""


@dataclass
class Profile:
    country: Country
    officials: list[ContactView]
    focal_points: list[ContactView]  # empty for the public
    contact_details_shown: bool
    engagement: list[Engagement]
    reporting: CountryStatus | None  # None for countries outside the Partnership
    offers: list[OfferNeed]
    needs: list[OfferNeed]
    can_edit: bool
    edit_token: str


def _contact(contact: CountryContact, details: bool) -> ContactView:
    return ContactView(
        name=contact.name,
        title=contact.title,
        institution=contact.institution,
        email=contact.email if details else "",
        phone=contact.phone if details else "",
    )


def profile_for(country: Country, viewer: Any, *, today: date) -> Profile:
    """What ``viewer`` may see of a country's profile. Focal points, and every e-mail address
    and phone number, reach only viewers allowed to see contact details (see hub.permissions);
    the public gets the official's name, title and institution only."""
    details = can(viewer, Action.CONTACT_DETAILS_VIEW)
    officials = [c for c in country.contacts if c.role is ContactRole.OFFICIAL]
    focal = [c for c in country.contacts if c.role is ContactRole.FOCAL_POINT] if details else []
    engagement = [Engagement(v) for v in country.engagement_levels or [] if v in _ENGAGEMENTS]
    # Peer learning's own look-up applies its own visibility rule.
    offers, needs = offers_and_needs_for(country, viewer) if country.is_partner else ([], [])
    return Profile(
        country=country,
        officials=[_contact(c, details) for c in officials],
        focal_points=[_contact(c, details) for c in focal],
        contact_details_shown=details,
        engagement=[e for e in Engagement if e in engagement],
        reporting=status_of(country, today=today, viewer=viewer) if country.is_partner else None,
        offers=offers,
        needs=needs,
        can_edit=can(viewer, Action.PROFILE_EDIT, country),
        edit_token=profile_token(country),
    )


_ENGAGEMENTS = {e.value for e in Engagement}
