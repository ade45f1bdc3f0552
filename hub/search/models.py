"""The index outbox: one row per document change, written in the same transaction as the change.
Also the daily search counts behind the Secretariat's search analytics."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.dbtypes import UTCDateTime, utcnow
from hub.extensions import db


class IndexOutbox(db.Model):
    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign key: a deleted document must still reach the index as a removal.
    document_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchQueryDay(db.Model):
    """How often one normalised query was searched on one UTC day, and how often it found nothing.

    Deliberately no user, session, address or agent: the Secretariat learns what people look
    for, never who looked (issue 5, point 7). Written only by ``hub.search.analytics``.
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
