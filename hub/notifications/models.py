"""What happened that a user should know about, and how they want to hear of it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.dbtypes import UTCDateTime, enum_column, utcnow
from hub.extensions import db


class Category(enum.StrEnum):
    SUBMISSION = "submission"  # a brief or experience was sent back, published, archived
    APPLICATION = "application"  # an expression of interest changed status
    REPLY = "reply"  # a reply in a subscribed discussion
    MATCH = "match"  # a suggested or brokered peer-learning match
    REPORTING = "reporting"  # a report is due or overdue


class Digest(enum.StrEnum):
    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category: Mapped[Category] = mapped_column(enum_column(Category))
    message: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once the notification went out in a digest, so no digest repeats it.
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def link(self) -> str:
        """The stored URL when it is a path on this site, else "": a page must never send a
        reader elsewhere (an open redirect) because some caller stored an outside address."""
        url = self.url or ""
        if not url.startswith("/") or url.startswith("//") or "\\" in url:
            return ""
        return url


class NotificationPreference(db.Model):
    """One row per user who changed the default (no digest)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[Digest] = mapped_column(enum_column(Digest), default=Digest.OFF)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
