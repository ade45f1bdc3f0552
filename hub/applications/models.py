"""Expressions of interest, their review trail, the priority weights and the UN country groups.

An application keeps everything the applicant sent, consented or not: the Secretariat needs it all
to decide. What reaches the public is decided at acceptance, when only the consented parts are
copied onto the country's profile (``hub.applications.acceptance``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.accounts.models import User
from hub.countries.models import Country
from hub.dbtypes import UTCDateTime, enum_column, utcnow
from hub.extensions import db


class ApplicationStatus(enum.StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    INFO_REQUESTED = "info_requested"  # more information requested from the applicant
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"


# A waitlisted country may still be accepted, so its application stays open: the country cannot
# file a second one meanwhile.
OPEN_STATUSES = (
    ApplicationStatus.RECEIVED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.INFO_REQUESTED,
    ApplicationStatus.WAITLISTED,
)


class Commitment(enum.StrEnum):
    """Who at the highest level has endorsed the application."""

    NONE = "none"
    SENIOR_OFFICIAL = "senior_official"  # head of an agency or a permanent secretary
    MINISTER = "minister"
    HEAD_OF_GOVERNMENT = "head_of_government"  # head of state or government


class CountryGroup(enum.StrEnum):
    LDC = "LDC"  # least developed country
    LLDC = "LLDC"  # landlocked developing country
    SIDS = "SIDS"  # small island developing State


class Application(db.Model):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), default=ApplicationStatus.RECEIVED, index=True
    )
    # The country's id while the application is open, else NULL: a unique column, so the database
    # itself keeps one open application per country even when two are sent at the same moment.
    open_country_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    official_name: Mapped[str] = mapped_column(String(200))
    official_title: Mapped[str] = mapped_column(String(200))
    official_institution: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)  # Markdown
    initiatives: Mapped[str] = mapped_column(Text, default="")  # one per line
    commitment: Mapped[Commitment] = mapped_column(enum_column(Commitment))
    engagement_levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    consent_official: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_focal_points: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_description: Mapped[bool] = mapped_column(Boolean, default=False)
    # The optional PDF, stored in the attachment store under a name of ours.
    pdf_filename: Mapped[str | None] = mapped_column(String(255))
    pdf_stored_name: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None] = mapped_column(Integer)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    # Optimistic locking: a status change based on an old version raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}

    country: Mapped[Country] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    focal_points: Mapped[list[ApplicationFocalPoint]] = relationship(
        back_populates="application",
        order_by="ApplicationFocalPoint.position",
        cascade="all, delete-orphan",
    )
    notes: Mapped[list[ApplicationNote]] = relationship(
        order_by="ApplicationNote.created_at", cascade="all, delete-orphan"
    )
    events: Mapped[list[ApplicationEvent]] = relationship(
        order_by="ApplicationEvent.created_at", cascade="all, delete-orphan"
    )

    @property
    def reference(self) -> str:
        """What the applicant quotes in correspondence."""
        return f"EOI-{self.id:05d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def emails(self) -> list[str]:
        """The focal points' addresses, each once, in the order given."""
        return list(dict.fromkeys(fp.email for fp in self.focal_points if fp.email))


class ApplicationFocalPoint(db.Model):
    __tablename__ = "application_focal_points"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    institution: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(60), default="")

    application: Mapped[Application] = relationship(back_populates="focal_points")


class ApplicationNote(db.Model):
    """An internal note of the Secretariat: never shown to the applicant or the public."""

    __tablename__ = "application_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class ApplicationEvent(db.Model):
    """One status change and the message the applicant was sent with it."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[ApplicationStatus | None] = mapped_column(enum_column(ApplicationStatus))
    to_status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus))
    message: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class PriorityWeight(db.Model):
    """The Secretariat's weight for one ranking criterion (missing rows take the default)."""

    __tablename__ = "application_weights"

    criterion: Mapped[str] = mapped_column(String(32), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CountryGroupMembership(db.Model):
    """A country's place on a UN list (LDC, LLDC, SIDS), loaded from content/reference."""

    __tablename__ = "country_groups"

    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    group: Mapped[CountryGroup] = mapped_column(enum_column(CountryGroup), primary_key=True)
