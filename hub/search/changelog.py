"""The change log that every index host reads from its own position (docs/deployment.md).

Each document change adds an ``IndexChange`` row in the change's own transaction. A host applies
the rows above its position to its own index and records how far it got twice: in a small file
inside the index generation it applied them to (so a restored or rebuilt index knows where it
stands) and in ``IndexHost`` (so pruning knows what every host still needs).

Ids and commit order. On PostgreSQL ids come from a sequence when a row is inserted, not when
its transaction commits, so a transaction that commits later can hold a SMALLER id than rows a
host has already applied. A host therefore applies every row it can see at once (no added
delay), remembers each id it skipped over as an open gap, and looks for the gap's rows again on
every catch-up. A gap is given up (the id was rolled back, or its transaction is improbably long)
only after ``INDEX_GAP_SECONDS`` (two minutes by default): a transaction that writes documents and
stays open longer than that may be missed, and the periodic check repairs what it left. The
position reported for pruning is the floor below the oldest open gap, so a late row is never
pruned before the host has read it. On SQLite writers are serialised, so gaps are only
rolled-back ids.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import delete, event, func, or_, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from hub.dbtypes import utcnow
from hub.documents.models import Attachment, Document
from hub.search.models import IndexChange, IndexHost, IndexLog

log = logging.getLogger(__name__)

POSITION_FILE = "HUB_POSITION"
# More open gaps than this are given up oldest first, so the gap query stays small (SQLite
# refuses an expression deeper than 1,000 terms).
MAX_GAPS = 200


@dataclass(frozen=True)
class Gap:
    """Ids ``lo..hi`` not seen yet, first noticed at ``seen_at`` (seconds since the epoch)."""

    lo: int
    hi: int
    seen_at: float


@dataclass(frozen=True)
class Position:
    """How far a host's index has applied the log: every id up to ``applied`` except the gaps."""

    applied: int
    gaps: tuple[Gap, ...] = field(default_factory=tuple)

    @property
    def floor(self) -> int:
        """Every change up to here is in the index: what pruning may remove."""
        return min(g.lo for g in self.gaps) - 1 if self.gaps else self.applied

    def to_json(self) -> str:
        gaps = [[g.lo, g.hi, g.seen_at] for g in self.gaps]
        return json.dumps({"applied": self.applied, "gaps": gaps})

    @classmethod
    def from_json(cls, text: str) -> Position:
        data = json.loads(text)
        gaps = tuple(Gap(int(lo), int(hi), float(seen)) for lo, hi, seen in data.get("gaps", []))
        return cls(applied=int(data["applied"]), gaps=gaps)


# --- writing the log: session hooks ---


def enqueue(session: Session, document_ids: Iterable[int]) -> None:
    """Add change-log rows in the caller's transaction; the session hook calls it for every
    change."""
    rows = [{"document_id": i} for i in sorted(set(document_ids)) if i is not None]
    if rows:
        session.connection().execute(IndexChange.__table__.insert(), rows)
        session.info["hub_changes_written"] = True


def _changed_document_ids(session: Session) -> set[int]:
    ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Document):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            ids.add(obj.id)
        elif isinstance(obj, Attachment):
            ids.add(obj.document_id or (obj.document.id if obj.document else None))
    ids.discard(None)
    return ids


@event.listens_for(Session, "after_flush")
def _log_after_flush(session: Session, flush_context) -> None:  # noqa: ANN001
    ids = _changed_document_ids(session)
    if ids:
        enqueue(session, ids)


_inline = threading.local()


@event.listens_for(Session, "after_commit")
def _catch_up_inline(session: Session) -> None:
    """With ``INDEX_FOLLOW = "inline"`` (tests, scripts) the index follows each commit that
    wrote change rows. catch_up() reads in a session of its own, after the commit, and writes no
    change rows, so it never comes back here; the guard makes that certain.

    SQLAlchemy also calls this hook when a savepoint is released. The outer transaction still
    holds the changes (and, on SQLite, the write lock), so nothing is caught up until it
    commits: a catch-up then would wait the whole busy timeout for that lock."""
    if session.in_nested_transaction():
        return
    if not session.info.pop("hub_changes_written", False) or not has_app_context():
        return
    if current_app.config.get("INDEX_FOLLOW") != "inline" or getattr(_inline, "active", False):
        return
    from hub.search.indexing import catch_up  # the applying side imports this module

    _inline.active = True
    try:
        catch_up()
    except Exception:
        log.exception("search index update failed; the change log keeps the change for a retry")
    finally:
        _inline.active = False


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    """A savepoint rolled back leaves the outer transaction's earlier rows, so the flag stays
    until the outer transaction ends (a catch-up with nothing new to apply costs little)."""
    if not session.in_nested_transaction():
        session.info.pop("hub_changes_written", None)


# --- the position stored with the index ---


def read_position(generation: Path) -> Position | None:
    """The position written with this index generation, or None if it has none."""
    try:
        return Position.from_json((generation / POSITION_FILE).read_text())
    except (FileNotFoundError, ValueError, KeyError):
        return None


def write_position(generation: Path, position: Position) -> None:
    """Write atomically after the index commit: a crash in between only replays rows. Not
    fsynced, like Whoosh's own files: after a power cut the periodic check repairs."""
    tmp = generation / f".{POSITION_FILE}.{uuid.uuid4().hex}"
    tmp.write_text(position.to_json())
    os.replace(tmp, generation / POSITION_FILE)


# --- reading the log ---


def host_name() -> str:
    """This host's name: ``INDEX_HOST_NAME`` (env ``HUB_INDEX_HOST``), else the machine's name
    and a hash of the index folder, so two index folders on one machine are two hosts."""
    configured = current_app.config.get("INDEX_HOST_NAME")
    if configured:
        return str(configured)
    folder = str(Path(current_app.config["SEARCH_INDEX_DIR"]).resolve())
    return f"{socket.gethostname()}-{hashlib.sha256(folder.encode()).hexdigest()[:8]}"


def pruned_through(session: Session) -> int:
    """The highest id ever pruned: a host whose floor is below it cannot catch up."""
    return session.scalar(select(IndexLog.pruned_through).where(IndexLog.id == 1)) or 0


def head(session: Session) -> int:
    """The highest change id now visible (or the pruned horizon when the log is empty)."""
    top = session.scalar(select(func.max(IndexChange.id)))
    return max(top or 0, pruned_through(session))


def fetch(session: Session, position: Position, batch_size: int) -> tuple[list[Row], list[Row]]:
    """Rows that filled open gaps, and up to ``batch_size`` new rows above ``applied``."""
    columns = (IndexChange.id, IndexChange.document_id)
    late: list[Row] = []
    if position.gaps:
        in_gaps = or_(*(IndexChange.id.between(g.lo, g.hi) for g in position.gaps))
        late = list(session.execute(select(*columns).where(in_gaps).order_by(IndexChange.id)))
    new = session.execute(
        select(*columns)
        .where(IndexChange.id > position.applied)
        .order_by(IndexChange.id)
        .limit(batch_size)
    ).all()
    return late, list(new)


def _fill(gaps: Iterable[Gap], ids: set[int]) -> list[Gap]:
    """Gaps with the ids now seen taken out (a gap may split in two)."""
    out: list[Gap] = []
    for gap in gaps:
        lo = gap.lo
        for i in sorted(i for i in ids if gap.lo <= i <= gap.hi):
            if i > lo:
                out.append(Gap(lo, i - 1, gap.seen_at))
            lo = i + 1
        if lo <= gap.hi:
            out.append(Gap(lo, gap.hi, gap.seen_at))
    return out


def advance(position: Position, ids: Iterable[int], *, now: float, gap_seconds: float) -> Position:
    """The position after applying ``ids``: ids skipped over become open gaps, filled gaps
    close, and gaps open longer than ``gap_seconds`` are given up."""
    seen = set(ids)
    gaps = _fill(position.gaps, seen)
    applied = position.applied
    for i in sorted(i for i in seen if i > position.applied):
        if i > applied + 1:
            gaps.append(Gap(applied + 1, i - 1, now))
        applied = i
    kept = [g for g in gaps if now - g.seen_at < gap_seconds]
    kept = kept[-MAX_GAPS:]
    for gap in gaps:
        if gap not in kept:
            log.info("change ids %d..%d never appeared; no longer waiting for them", gap.lo, gap.hi)
    return replace(position, applied=applied, gaps=tuple(sorted(kept, key=lambda g: g.lo)))


def pending(session: Session, position: Position | None) -> int:
    """How many rows of the log this host has not applied yet."""
    above = position.applied if position else 0
    count = session.scalar(select(func.count(IndexChange.id)).where(IndexChange.id > above)) or 0
    if position and position.gaps:
        in_gaps = or_(*(IndexChange.id.between(g.lo, g.hi) for g in position.gaps))
        count += session.scalar(select(func.count(IndexChange.id)).where(in_gaps)) or 0
    return count


def join_position(session: Session, *, gap_seconds: float) -> Position:
    """Where a fresh build joins the log, read BEFORE the build starts: the head of the log.
    Every row up to it committed before the build reads any document, so the build holds its
    change. Ids missing among the rows of the last ``gap_seconds`` may belong to transactions
    still open: they start as open gaps, applied if they commit later with their lower id. Rows
    above the head (changes made during the build) are applied after the swap."""
    horizon = pruned_through(session)
    settled_before = utcnow() - timedelta(seconds=gap_seconds)
    settled = session.scalar(
        select(func.max(IndexChange.id)).where(IndexChange.created_at < settled_before)
    )
    start = Position(applied=max(settled or 0, horizon))
    recent = session.scalars(select(IndexChange.id).where(IndexChange.id > start.applied))
    return advance(start, recent, now=time.time(), gap_seconds=gap_seconds)


# --- hosts and pruning ---


def record_host(
    session: Session, name: str, index_dir: str, position: Position, *, rebuilt: str | None = None
) -> None:
    """Note this host's position (and a rebuild, with its reason) in the caller's transaction."""
    host = session.get(IndexHost, name)
    if host is None:
        host = IndexHost(name=name, last_rebuild_reason="")
        session.add(host)
    host.index_dir = index_dir
    host.position = position.floor
    host.applied_through = position.applied
    host.last_seen_at = utcnow()
    if rebuilt is not None:
        host.last_rebuild_at = utcnow()
        host.last_rebuild_reason = rebuilt[:500]


def live_hosts(session: Session) -> list[IndexHost]:
    seconds = current_app.config["INDEX_HOST_LIVE_SECONDS"]
    since = utcnow() - timedelta(seconds=seconds)
    return list(session.scalars(select(IndexHost).where(IndexHost.last_seen_at >= since)))


def prune(session: Session) -> int:
    """Delete the rows every live host has applied; returns how many. Hosts not seen within
    ``INDEX_HOST_LIVE_SECONDS`` do not hold the log back: when they return below the pruned
    horizon they rebuild from the database."""
    hosts = live_hosts(session)
    if not hosts:
        return 0
    horizon = min(h.position for h in hosts)
    if horizon <= pruned_through(session):
        return 0
    result = session.execute(delete(IndexChange).where(IndexChange.id <= horizon))
    state = session.get(IndexLog, 1)
    if state is None:
        session.add(IndexLog(id=1, pruned_through=horizon))
    else:
        state.pruned_through = max(state.pruned_through, horizon)
    return result.rowcount or 0
