"""The index change log: one row per document change, written in the same transaction as the
change and read by every index host from its own position (docs/deployment.md). Also the daily
search counts behind the Secretariat's search analytics."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.dbtypes import UTCDateTime, utcnow
from hub.extensions import db


class IndexChange(db.Model):
    """One document changed. Consumers never delete rows: each host keeps its own position, and
    ``changelog.prune_log()`` removes only what every live host has applied. AUTOINCREMENT on
    SQLite so an id is never reused after a prune (a reused id would be below every position)."""

    __tablename__ = "index_changes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign key: a deleted document must still reach the index as a removal.
    document_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class IndexHost(db.Model):
    """A host with a search index of its own, and how far it has applied the change log."""

    __tablename__ = "index_hosts"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    index_dir: Mapped[str] = mapped_column(String(1000), default="")
    # Every change with an id up to here is in this host's index: pruning keeps what is above.
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The highest change applied; ids between position and here may still be in flight.
    applied_through: Mapped[int] = mapped_column(Integer, default=0)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_rebuild_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_rebuild_reason: Mapped[str] = mapped_column(String(500), default="")


class IndexLog(db.Model):
    """The one row saying how far the change log was pruned: a host below it must rebuild."""

    __tablename__ = "index_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pruned_through: Mapped[int] = mapped_column(Integer, default=0)


class SearchQueryDay(db.Model):
    """How often one normalised query was searched on one UTC day, and how often it found nothing.

    Deliberately no user, session, address or agent: the Secretariat learns what people look
    for, never who looked. Written only by ``hub.search.analytics``.
    """

    __tablename__ = "search_query_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    query_text: Mapped[str] = mapped_column(String(256), primary_key=True)
    searches: Mapped[int] = mapped_column(Integer, default=0)
    zero_results: Mapped[int] = mapped_column(Integer, default=0)


class SearchDay(db.Model):
    """All searches of one UTC day: the denominator of the report, kept apart from the queries
    so that it stays right even if rare queries are ever pruned."""

    __tablename__ = "search_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    searches: Mapped[int] = mapped_column(Integer, default=0)
    zero_results: Mapped[int] = mapped_column(Integer, default=0)
