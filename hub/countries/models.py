"""Countries: ISO identity from pycountry, UN M49 regions, and their place in the Partnership."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.dbtypes import enum_column
from hub.extensions import db
from hub.sdg.models import SdgGoal


class PartnershipStatus(enum.StrEnum):
    PILOT = "pilot"
    MEMBER = "member"
    APPLICANT = "applicant"
    NONE = "none"


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

    focus_goals: Mapped[list[SdgGoal]] = relationship(
        secondary=country_goals, order_by=SdgGoal.number
    )

    @property
    def slug(self) -> str:
        return self.iso3.lower()

    @property
    def is_partner(self) -> bool:
        return self.partnership_status in (PartnershipStatus.PILOT, PartnershipStatus.MEMBER)

    def __repr__(self) -> str:
        return f"<Country {self.iso3}>"
