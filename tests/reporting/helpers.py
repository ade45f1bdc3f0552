"""Shared set-up for the reporting and profile tests: partner countries, contacts, schedules."""

from __future__ import annotations

from datetime import date

from hub.accounts.models import Role
from hub.countries.models import ContactRole, Country, CountryContact, Engagement, PartnershipStatus
from hub.extensions import db
from hub.reporting.models import ReportingSchedule
from tests import factories


def partner(
    iso3: str,
    status: PartnershipStatus = PartnershipStatus.MEMBER,
    *,
    co_chair: bool = False,
    member_since: date | None = None,
) -> Country:
    country = factories.country(iso3)
    country.partnership_status = status
    country.is_co_chair = co_chair
    country.member_since = member_since
    db.session.commit()
    return country


def with_contacts(country: Country) -> Country:
    """The official and a focal point, with unmistakable e-mail addresses and phones."""
    slug = country.slug
    country.engagement_levels = [Engagement.SHOWCASE.value, Engagement.ALIGN.value]
    country.priorities = "Our **first** priority is digital public infrastructure."
    country.contacts = [
        CountryContact(role=ContactRole.OFFICIAL, name=f"Official of {slug}", title="Minister",
                       institution="Ministry of Science", email=f"official-{slug}@gov.example",
                       phone="+1 555 0100", position=0),
        CountryContact(role=ContactRole.FOCAL_POINT, name=f"Focal Person {slug}", title="Director",
                       institution="STI Council", email=f"focal-{slug}@gov.example",
                       phone="+1 555 0199", position=0),
    ]  # fmt: skip
    db.session.commit()
    return country


def schedule(starts_on: date, months: int = 12) -> ReportingSchedule:
    editor = factories.user(role=Role.EDITOR, country_code=None)
    row = ReportingSchedule(months=months, starts_on=starts_on, set_by_id=editor.id)
    db.session.add(row)
    db.session.commit()
    return row
