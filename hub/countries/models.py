"""Countries: ISO identity from pycountry, UN M49 regions, and their place in the Partnership."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.dbtypes import enum_column
from hub.extensions import db
from hub.sdg.models import SdgGoal


class PartnershipStatus(enum.StrEnum):
    PILOT = "pilot"
    MEMBER = "member"
    APPLICANT = "applicant"
    NONE = "none"


class Engagement(enum.StrEnum):
    """The levels of engagement a country picks in its expression of interest."""

    ALIGN = "align"  # align with the principles
    SHOWCASE = "showcase"  # showcase experience and support other countries
    CAPACITY_BUILDING = "capacity_building"  # join capacity building (Global Pilot Programme)


class ContactRole(enum.StrEnum):
    OFFICIAL = "official"  # the senior official responsible for the roadmap
    FOCAL_POINT = "focal_point"


country_goals = Table(
    "country_goals",
    db.metadata,
    Column("country_id", ForeignKey("countries.id", ondelete="CASCADE"), primary_key=True),
    Column("goal_number", ForeignKey("sdg_goals.number"), primary_key=True),
)


class Country(db.Model):
    __tablename__ = "countries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    iso2: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    official_name: Mapped[str | None] = mapped_column(String(300))
    region: Mapped[str] = mapped_column(String(60), default="")
    sub_region: Mapped[str] = mapped_column(String(60), default="")
    partnership_status: Mapped[PartnershipStatus] = mapped_column(
        enum_column(PartnershipStatus), default=PartnershipStatus.NONE, index=True
    )
    is_co_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    profile: Mapped[str] = mapped_column(Text, default="")
    profile_is_example: Mapped[bool] = mapped_column(Boolean, default=False)

    # Filled when an expression of interest is accepted, from its consented parts only.
    engagement_levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    priorities: Mapped[str] = mapped_column(Text, default="")  # Markdown, consented description
    member_since: Mapped[date | None] = mapped_column(Date)

    focus_goals: Mapped[list[SdgGoal]] = relationship(
        secondary=country_goals, order_by=SdgGoal.number
    )
    contacts: Mapped[list[CountryContact]] = relationship(
        back_populates="country",
        order_by="(CountryContact.role, CountryContact.position)",
        cascade="all, delete-orphan",
    )

    @property
    def slug(self) -> str:
        return self.iso3.lower()

    @property
    def is_partner(self) -> bool:
        return self.partnership_status in (PartnershipStatus.PILOT, PartnershipStatus.MEMBER)

    def __repr__(self) -> str:
        return f"<Country {self.iso3}>"


class CountryContact(db.Model):
    """A consented contact on a country's profile. Only parts the applicant consented to publish
    are ever copied here. The official is shown to everyone; focal points (and every e-mail
    address and phone number) only to logged-in members: see ``hub.permissions``."""

    __tablename__ = "country_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country_id: Mapped[int] = mapped_column(
        ForeignKey("countries.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[ContactRole] = mapped_column(enum_column(ContactRole))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    institution: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    country: Mapped[Country] = relationship(back_populates="contacts")
