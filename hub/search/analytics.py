"""Search analytics for the Secretariat: what people search for and what finds nothing, without
storing who searched.

What is kept: for each UTC day, each normalised query text with how many times it was searched
and how many of those searches found nothing, and the day's totals (``SearchQueryDay``,
``SearchDay``). Nothing else: no user, session, address, user agent, time of day or filters, so
no row can be traced back to a person or a visit.

What is counted (the callers, the search page and the JSON API, call ``record`` after a search):
- empty queries (browsing by filters alone) are not counted: there is no text to learn from;
- only the first page: paging through results is the same search, not another one;
- queries the parser rejects (``Invalid``) are not counted: ``record`` is called only after a
  search that ran. The person is told how to fix the query and their corrected search counts;
  rejected input is mostly typing slips or probing, which would crowd out real questions.

Recording is cheap because the search speed benchmark times every search: ``record`` only adds
to a per-process, in-memory buffer under a lock. The buffer is written in one batched upsert (an
increment, so processes and restarts add up) when it is older than ``FLUSH_SECONDS`` or holds
``FLUSH_ENTRIES`` distinct queries, on ``flush()``, and when the process exits. That batch runs
on the search that finds it due, at most once per interval, and never fails the search. (Not a
timer thread: its writes would land in the middle of unrelated requests, and a quiet process
simply writes on its next search or at exit.) A crash or a kill loses the counts buffered by
that process since its last batch: accepted, because the figures are for spotting trends, not
for accounting.

How long: query texts are kept ``KEEP_DAYS`` days (``SEARCH_ANALYTICS_KEEP_DAYS``), because people
sometimes type names or addresses into a search box; older rows are deleted in the first batch a
process writes each day, in the same transaction. The day totals, which hold no text, are kept.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
import time
import unicodedata
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import Table, delete, func, select
from sqlalchemy.engine import Connection, Engine

from hub.errors import Invalid
from hub.extensions import db
from hub.search.models import SearchDay, SearchQueryDay

log = logging.getLogger(__name__)

MAX_QUERY_TEXT = 256
FLUSH_SECONDS = 10.0
FLUSH_ENTRIES = 1000
PRESET_DAYS = (7, 30, 90)
DEFAULT_DAYS = 30
REPORT_LIMIT = 50
KEEP_DAYS = 400  # a year and a bit, so this month can be compared with the same month last year
_EXTENSION = "hub_search_analytics"
_DROPPED_CATEGORIES = {"Cc", "Cs"}  # control characters and lone surrogates (PostgreSQL refuses)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Counts = dict[tuple[date, str], list[int]]  # (day, query text) -> [searches, zero results]


def normalise(query: str) -> str:
    """The form a query is counted under: NFKC (full-width letters as typed on CJK keyboards
    count with their plain forms), control characters dropped, whitespace collapsed, lower
    case, at most 256 characters. Empty when nothing is left."""
    text = unicodedata.normalize("NFKC", query[: 4 * MAX_QUERY_TEXT])
    if not text.isprintable():
        text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    return " ".join(text.split()).lower()[:MAX_QUERY_TEXT].strip()


def record(query: str, total: int, *, page: int = 1, at: datetime | None = None) -> None:
    """Count one search of ``query`` that found ``total`` results (see the module docstring for
    what is counted). ``at`` is when it happened, now unless given. Needs an app context; never
    writes to the database itself except, once per interval, the whole buffer."""
    if page != 1:
        return
    text = normalise(query)
    if not text:
        return
    day = (at or datetime.now(UTC)).astimezone(UTC).date()
    recorder(current_app).add(day, text, zero=total == 0)


def flush() -> None:
    """Write this process's buffered counts now (tests, commands). The report page does not:
    it is a GET, and a GET changes nothing (T-13), so it may lag by one batch per process."""
    recorder(current_app).flush()


class Recorder:
    """One process's buffer of counts for one app, and the batched write that empties it.

    ``add`` takes the buffer lock for a dictionary update; the write happens outside it, under
    a second lock, so other requests keep counting while one batch is written.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        flush_seconds: float,
        flush_entries: int,
        keep_days: int = KEEP_DAYS,
    ):
        self.engine = engine
        self.flush_seconds = flush_seconds
        self.flush_entries = flush_entries
        self.keep_days = keep_days
        self._pruned_on: date | None = None
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._counts: Counts = {}
        self._pending: list[Counts] = []
        self._due_at = time.monotonic() + flush_seconds

    def add(self, day: date, text: str, *, zero: bool) -> None:
        with self._lock:
            counts = self._counts.get((day, text))
            if counts is None:
                self._counts[(day, text)] = [1, int(zero)]
            else:
                counts[0] += 1
                counts[1] += zero
            if len(self._counts) < self.flush_entries and time.monotonic() < self._due_at:
                return
            self._set_aside()
        try:
            self._write_pending(wait=False)
        except Exception:  # a search must never fail because its statistics could not be saved
            log.warning("search analytics: a batch could not be written", exc_info=True)

    def flush(self) -> None:
        """Write everything buffered so far; returns once it is in the database."""
        with self._lock:
            self._set_aside()
        self._write_pending(wait=True)

    def _set_aside(self) -> None:
        if self._counts:
            self._pending.append(self._counts)
            self._counts = {}
        self._due_at = time.monotonic() + self.flush_seconds

    def _write_pending(self, *, wait: bool) -> None:
        # Without waiting, a batch that finds another being written stays pending for the
        # next flush: a request never waits for another's write.
        if not self._write_lock.acquire(blocking=wait):
            return
        try:
            with self._lock:
                batches, self._pending = self._pending, []
            if batches:
                counts = _merge(batches)
                # "Today" is the day of the newest search written: the clock the counts use.
                today = max(day for day, _text in counts)
                with self.engine.begin() as conn:
                    _write(conn, counts)
                    if self._pruned_on != today:
                        prune(conn, today=today, keep_days=self.keep_days)
                self._pruned_on = today
        finally:
            self._write_lock.release()


def recorder(app: Flask) -> Recorder:
    """This process's recorder for ``app``, made on first use (after a fork, a fresh one: the
    parent keeps and writes its own buffer)."""
    found = app.extensions.get(_EXTENSION)
    if found is not None and found.pid == os.getpid():
        return found
    with app.app_context():
        engine = db.engine
    made = Recorder(
        engine,
        flush_seconds=float(app.config.get("SEARCH_ANALYTICS_FLUSH_SECONDS", FLUSH_SECONDS)),
        flush_entries=int(app.config.get("SEARCH_ANALYTICS_FLUSH_ENTRIES", FLUSH_ENTRIES)),
        keep_days=keep_days(app),
    )
    app.extensions[_EXTENSION] = made
    atexit.register(_flush_at_exit, weakref.ref(made))
    return made


def _flush_at_exit(ref: weakref.ref[Recorder]) -> None:
    made = ref()
    if made is None or made.pid != os.getpid():
        return
    try:
        made.flush()
    except Exception:
        log.warning("search analytics: the last batch could not be written", exc_info=True)


def keep_days(app: Flask) -> int:
    return max(1, int(app.config.get("SEARCH_ANALYTICS_KEEP_DAYS", KEEP_DAYS)))


def prune(conn: Connection, *, today: date, keep_days: int) -> int:
    """Delete query texts older than ``keep_days`` (today counts as one); returns how many."""
    oldest_kept = _days_before(today, keep_days - 1)
    table = SearchQueryDay.__table__
    return conn.execute(delete(table).where(table.c.day < oldest_kept)).rowcount or 0


def _merge(batches: list[Counts]) -> Counts:
    merged: Counts = {}
    for batch in batches:
        for key, (searches, zero) in batch.items():
            into = merged.setdefault(key, [0, 0])
            into[0] += searches
            into[1] += zero
    return merged


def _write(conn: Connection, counts: Counts) -> None:
    """Add ``counts`` to the stored ones in one transaction. Rows go in key order, so two
    processes writing at once lock them in the same order and cannot deadlock."""
    queries = [
        {"day": day, "query_text": text, "searches": n, "zero_results": zero}
        for (day, text), (n, zero) in sorted(counts.items())
    ]
    days: dict[date, list[int]] = {}
    for (day, _text), (n, zero) in counts.items():
        into = days.setdefault(day, [0, 0])
        into[0] += n
        into[1] += zero
    totals = [
        {"day": day, "searches": n, "zero_results": zero} for day, (n, zero) in sorted(days.items())
    ]
    _increment(conn, SearchQueryDay.__table__, ["day", "query_text"], queries)
    _increment(conn, SearchDay.__table__, ["day"], totals)


def _increment(conn: Connection, table: Table, keys: list[str], rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE adding to the counts: SQLite and PostgreSQL alike."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the Hub runs on these two
        raise RuntimeError(f"no upsert for {conn.dialect.name}")
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys,
        set_={
            "searches": table.c.searches + stmt.excluded.searches,
            "zero_results": table.c.zero_results + stmt.excluded.zero_results,
        },
    )
    conn.execute(stmt, rows)


# --- the report ---


@dataclass(frozen=True)
class Period:
    """UTC days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class QueryCount:
    query: str
    searches: int
    zero_results: int


@dataclass(frozen=True)
class DayCount:
    day: date
    searches: int
    zero_results: int


@dataclass(frozen=True)
class Report:
    period: Period
    searches: int
    zero_result_searches: int
    distinct_queries: int
    top: list[QueryCount]  # most searched first
    nothing_found: list[QueryCount]  # queries that found nothing at least once, most often first
    by_day: list[DayCount]  # days with searches only, oldest first


def last_days(days: int, *, today: date) -> Period:
    return Period(today - timedelta(days=days - 1), today)


def period_from(args: Mapping[str, str], *, today: date) -> Period:
    """The period a request asks for: ``days`` (one of the presets, ending today), else ``from``
    and ``to`` (YYYY-MM-DD, either may be left out), else the last 30 days. Raises ``Invalid``
    with a message that says what to type."""
    days = (args.get("days") or "").strip()
    if days:
        if not days.isdigit() or int(days) not in PRESET_DAYS:
            raise Invalid(_("Choose a period of 7, 30 or 90 days, or give the dates."))
        return last_days(int(days), today=today)
    end = _date_arg(args, "to") or today
    start = _date_arg(args, "from") or _days_before(end, DEFAULT_DAYS - 1)
    if start > end:
        raise Invalid(_("The start date is after the end date."))
    return Period(start, end)


def _days_before(day: date, days: int) -> date:
    try:
        return day - timedelta(days=days)
    except OverflowError:  # "to=0001-01-05"
        return date.min


def _date_arg(args: Mapping[str, str], name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(
            _(
                "“%(value)s” is not a date: write it as YYYY-MM-DD, for example 2025-03-01.",
                value=raw[:40],
            )
        ) from None


def report(period: Period, *, limit: int = REPORT_LIMIT) -> Report:
    """The most searched queries and those that found nothing over ``period``, with totals.
    Counts still buffered in other processes appear after their next flush."""
    in_period = SearchQueryDay.day.between(period.start, period.end)
    searches = func.sum(SearchQueryDay.searches).label("searches")
    zero = func.sum(SearchQueryDay.zero_results).label("zero")
    grouped = (
        select(SearchQueryDay.query_text, searches, zero)
        .where(in_period)
        .group_by(SearchQueryDay.query_text)
    )
    top = db.session.execute(
        grouped.order_by(searches.desc(), SearchQueryDay.query_text).limit(limit)
    ).all()
    nothing = db.session.execute(
        grouped.having(zero > 0).order_by(zero.desc(), SearchQueryDay.query_text).limit(limit)
    ).all()
    distinct = db.session.scalar(
        select(func.count(func.distinct(SearchQueryDay.query_text))).where(in_period)
    )
    days = db.session.execute(
        select(SearchDay.day, SearchDay.searches, SearchDay.zero_results)
        .where(SearchDay.day.between(period.start, period.end))
        .order_by(SearchDay.day)
    ).all()
    return Report(
        period=period,
        searches=sum(d.searches for d in days),
        zero_result_searches=sum(d.zero_results for d in days),
        distinct_queries=distinct or 0,
        top=[QueryCount(r.query_text, int(r.searches), int(r.zero)) for r in top],
        nothing_found=[QueryCount(r.query_text, int(r.searches), int(r.zero)) for r in nothing],
        by_day=[DayCount(d.day, d.searches, d.zero_results) for d in days],
    )
