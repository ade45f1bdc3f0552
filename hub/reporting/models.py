"""Reporting schedules set by the Secretariat (every change kept) and the reminders sent."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.accounts.models import User
from hub.countries.models import Country
from hub.dbtypes import UTCDateTime, enum_column, utcnow
from hub.extensions import db


class ReportingSchedule(db.Model):
    """One row per setting. The newest row is the schedule in force; older rows are its history,
    so the Secretariat can see when and by whom the period was changed."""

    __tablename__ = "reporting_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    months: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    set_by: Mapped[User | None] = relationship()


class ReminderKind(enum.StrEnum):
    DUE_SOON = "due_soon"  # the due date is near
    OVERDUE = "overdue"  # the day after a missed due date
    RED = "red"  # overdue by a full period


class ReminderSent(db.Model):
    """Which reminder went to which country for which period: the command that sends reminders
    skips what is recorded here, so running it twice sends nothing new."""

    __tablename__ = "reporting_reminders"
    __table_args__ = (
        UniqueConstraint("country_id", "kind", "period_starts_on", name="uq_reporting_reminders"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country_id: Mapped[int] = mapped_column(
        ForeignKey("countries.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind))
    # The first day of the period the reminder is about (its due date is that period's end).
    period_starts_on: Mapped[date] = mapped_column(Date)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    country: Mapped[Country] = relationship()
