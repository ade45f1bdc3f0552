"""Peer learning: what a member country can share (offers), what it wants to learn (needs), and
the matches the Secretariat brokers between them, with their history.

Offers and needs share one table: they carry the same facts and the matchmaking reads them side by
side; ``kind`` tells them apart. Edits use optimistic locking (``version``), so two focal points
saving the same item cannot silently overwrite each other.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.countries.models import Country
from hub.dbtypes import UTCDateTime, enum_column, utcnow
from hub.documents.models import Area, Document
from hub.extensions import db
from hub.sdg.models import SdgGoal


class ItemKind(enum.StrEnum):
    OFFER = "offer"  # what the country can share
    NEED = "need"  # what the country wants to learn


class ItemStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # met or no longer current: kept, and shown as closed
    WITHDRAWN = "withdrawn"  # taken back by the country: no longer shown outside it


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DECLINED = "declined"


offer_need_goals = Table(
    "offer_need_goals",
    db.metadata,
    Column("item_id", ForeignKey("offers_needs.id", ondelete="CASCADE"), primary_key=True),
    Column("goal_number", ForeignKey("sdg_goals.number"), primary_key=True),
)

# Guidebook sections (documents of kind guidebook_section) the item is about.
offer_need_topics = Table(
    "offer_need_topics",
    db.metadata,
    Column("item_id", ForeignKey("offers_needs.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "section_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class OfferNeed(db.Model):
    __tablename__ = "offers_needs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind), index=True)
    country_id: Mapped[int] = mapped_column(
        ForeignKey("countries.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, via hub.markup
    # The Partnership's areas of work (hub.documents.models.Area values).
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[ItemStatus] = mapped_column(
        enum_column(ItemStatus), default=ItemStatus.OPEN, index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    country: Mapped[Country] = relationship()
    goals: Mapped[list[SdgGoal]] = relationship(secondary=offer_need_goals, order_by=SdgGoal.number)
    topics: Mapped[list[Document]] = relationship(
        secondary=offer_need_topics, order_by=Document.title
    )

    @property
    def area_values(self) -> list[Area]:
        return [Area(a) for a in self.areas if a in Area._value2member_map_]

    @property
    def is_open(self) -> bool:
        return self.status is ItemStatus.OPEN

    def __repr__(self) -> str:
        return f"<OfferNeed {self.kind.value}:{self.id}>"


class BrokeredMatch(db.Model):
    """A need answered by an offer, as the Secretariat brokered it."""

    __tablename__ = "brokered_matches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(
        ForeignKey("offers_needs.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("offers_needs.id", ondelete="CASCADE"), index=True
    )
    matched_on: Mapped[date] = mapped_column(Date)
    status: Mapped[MatchStatus] = mapped_column(
        enum_column(MatchStatus), default=MatchStatus.PROPOSED, index=True
    )
    outcome: Mapped[str] = mapped_column(Text, default="")  # Markdown, via hub.markup
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    need: Mapped[OfferNeed] = relationship(foreign_keys=[need_id])
    offer: Mapped[OfferNeed] = relationship(foreign_keys=[offer_id])
    events: Mapped[list[MatchEvent]] = relationship(
        back_populates="match",
        cascade="all, delete-orphan",
        order_by="MatchEvent.id",
        passive_deletes=True,
    )


class MatchEvent(db.Model):
    """One step in a brokered match's history: the status and outcome after the change."""

    __tablename__ = "match_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    match_id: Mapped[int] = mapped_column(
        ForeignKey("brokered_matches.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[MatchStatus] = mapped_column(enum_column(MatchStatus))
    outcome: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    match: Mapped[BrokeredMatch] = relationship(back_populates="events")
