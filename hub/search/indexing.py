"""The one path from documents to the search index.

The database is the source of truth. Every change to a document writes an ``IndexChange`` row in
the same transaction (a session hook does it, so no ORM code path can forget; bulk UPDATE or
DELETE statements bypass the ORM and must call ``enqueue()`` for the ids they touch).
``catch_up()`` applies the change log from this host's position to this host's index
(changelog.py, docs/deployment.md); ``check()`` compares the index with the database;
``rebuild()`` builds a fresh index and swaps it in. Only these (and ``repair()``) open a writer,
always with a timeout, and any failure cancels the writer so its lock is released. Applying a row
twice gives the same index, so replays are safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time as clock
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, selectinload
from whoosh.index import EmptyIndexError, FileIndex
from whoosh.writing import IndexWriter

from hub import permissions
from hub.documents.body_text import Rendered, body_text, store_rendered
from hub.documents.models import Document, Status
from hub.extensions import db
from hub.search import changelog
from hub.search.analysis import group_for
from hub.search.engine import WRITER_OPTIONS, HolderLock, rebuild_writer
from hub.search.models import IndexChange
from hub.search.schema import text_field
from hub.search.store import IndexStore

log = logging.getLogger(__name__)

# Private-use characters that the snippet formatter uses as match markers; never indexed.
_MARKERS = str.maketrans("", "", "\ue000\ue001")


class SimulatedCrash(RuntimeError):
    """Raised at a named fault point when a test asks for it (``INDEX_FAULTS`` config)."""


# The points between a change's database commit and its index commit and position, in order.
FAULT_POINTS = ("before_index_commit", "after_index_commit", "after_position_write")
# Exit status of a process ended at a fault point with ``INDEX_FAULT_EXIT``.
FAULT_EXIT_STATUS = 70


def fault_point(name: str) -> None:
    """Crash here when a test asks for it: raise ``SimulatedCrash``, or with
    ``INDEX_FAULT_EXIT`` end the process at once (``os._exit``: no clean-up, no finally), as a
    power cut or ``kill -9`` would."""
    config = current_app.config
    if name in config.get("INDEX_FAULTS", ()):
        if config.get("INDEX_FAULT_EXIT"):
            os._exit(FAULT_EXIT_STATUS)
        raise SimulatedCrash(name)


def get_store() -> IndexStore:
    return IndexStore(current_app.config["SEARCH_INDEX_DIR"])


# --- what goes into the index ---


def is_indexable(doc: Document) -> bool:
    """Only published documents are in the index; who may see them is stored as labels."""
    return doc.status is Status.PUBLISHED


def _clean(text: str) -> str:
    return text.translate(_MARKERS)


def _pdf_text(doc: Document) -> tuple[str, list[list]]:
    """All attachment texts as one string, and where each attachment's pages start in it."""
    parts: list[str] = []
    pages: list[list] = []
    offset = 0
    for attachment in doc.attachments:
        if not attachment.text:
            continue
        text = _clean(attachment.text)
        starts = [offset] + [offset + i + 1 for i, ch in enumerate(text) if ch == "\f"]
        pages.append([attachment.filename, starts])
        parts.append(text)
        offset += len(text) + len(PDF_SEPARATOR)
    return PDF_SEPARATOR.join(parts), pages


PDF_SEPARATOR = "\n\n"


def entry_for(doc: Document, rendered: list[Rendered] | None = None) -> dict:
    """The only mapping from a document to its index fields. Bodies whose plain text had to be
    rendered (not stored, or stale) are noted in ``rendered`` (body_text.py)."""
    published = datetime.combine(doc.published_on, time()) if doc.published_on else None
    group = group_for(doc.language)
    title = _clean(doc.title)
    summary = _clean(doc.summary or "")
    body = _clean(body_text(doc, rendered))
    # A summary that is the body's first paragraph (the default) is not indexed twice.
    starts_alike = body.startswith(summary.rstrip("…").rstrip())
    indexed_body = f"{summary}\n\n{body}" if summary and not starts_alike else body
    pdf, pdf_pages = _pdf_text(doc)
    tags = [t.name for t in doc.tags]
    entry = {
        "id": str(doc.id),
        "slug": doc.slug,
        "kind": doc.kind.value,
        "title": title,
        "summary": summary,
        "body": indexed_body,
        "pdf": pdf,
        "pdf_pages": pdf_pages,
        text_field("title", group): title,
        text_field("body", group): indexed_body,
        text_field("pdf", group): pdf,
        # The did-you-mean vocabulary: titles, summaries and tags, not whole bodies, which
        # would double the postings a rebuild writes for little gain in suggestions.
        "words": " ".join((title, summary, *tags)),
        "country": doc.country.iso3 if doc.country else "",
        "region": doc.country.region if doc.country else "",
        "language": doc.language,
        "year": str(published.year) if published else "",
        "goals": ",".join(str(g.number) for g in doc.goals),
        "targets": ",".join(t.code for t in doc.targets),
        "areas": ",".join(a.value for a in doc.areas),
        "tags": ",".join(tags),
        "labels": ",".join(sorted(permissions.labels_for_document(doc))),
        "example": doc.is_example,
    }
    digest_source = dict(entry, published=published.isoformat() if published else None)
    entry["content_hash"] = hashlib.sha256(
        json.dumps(digest_source, sort_keys=True).encode()
    ).hexdigest()
    if published is not None:
        entry["published"] = published
    return entry


# --- the change log (rows written by changelog.py's session hooks) ---

enqueue = changelog.enqueue


# --- writers ---


def _writer(ix: FileIndex) -> IndexWriter:
    timeout = current_app.config["INDEX_WRITER_TIMEOUT"]
    return ix.writer(timeout=timeout, delay=0.05, **WRITER_OPTIONS)


def _discard(writer: IndexWriter) -> None:
    """Cancel a writer after a failure. A commit that failed half-way (a full disk) leaves files
    that cancel() tries to close again and fails on before it releases the write lock; the lock
    is released here then, or this process would keep the index locked until it exits."""
    try:
        writer.cancel()
    except Exception:
        log.warning("cancelling the index writer failed; releasing its lock", exc_info=True)
        if writer.writelock is not None:
            writer.writelock.release()
        writer.is_closed = True


def _live_writer(store: IndexStore) -> tuple[FileIndex, IndexWriter]:
    """A writer on the live generation; if a rebuild swapped it meanwhile, follow the swap."""
    for _attempt in range(10):
        ix = store.open()
        name = Path(ix.storage.folder).name
        try:
            writer = _writer(ix)
        except (FileNotFoundError, EmptyIndexError):
            continue  # the generation was pruned while we waited for its lock
        if store.current_name() == name:
            return ix, writer
        writer.cancel()
    raise RuntimeError("the search index kept changing under the writer")


def _load_documents(ids: Iterable[int], session: Session | None = None) -> dict[int, Document]:
    session = session or db.session
    ids = list(ids)
    if not ids:
        return {}
    stmt = (
        select(Document)
        .where(Document.id.in_(ids))
        .options(
            selectinload(Document.goals),
            selectinload(Document.targets),
            selectinload(Document.tags),
            selectinload(Document.area_links),
            selectinload(Document.attachments),
            selectinload(Document.country),
        )
        .execution_options(populate_existing=True)
    )
    return {doc.id: doc for doc in session.scalars(stmt)}


def _apply(writer: IndexWriter, document_ids: Iterable[int], session: Session) -> None:
    docs = _load_documents(document_ids, session)
    for doc_id in document_ids:
        doc = docs.get(doc_id)
        if doc is not None and is_indexable(doc):
            writer.update_document(**entry_for(doc))
        else:
            writer.delete_by_term("id", str(doc_id))


@contextlib.contextmanager
def _host_lock(store: IndexStore) -> Iterator[None]:
    """One catch-up or rebuild at a time per index folder, across threads and processes, so a
    position is always written by whoever applied the rows under it. The lock names its holder
    and is broken when that process is gone from this host (engine.HolderLock)."""
    store.root.mkdir(parents=True, exist_ok=True)
    lock = HolderLock(store.root / HOST_LOCK)
    lock.acquire_within(current_app.config["INDEX_WRITER_TIMEOUT"])
    try:
        yield
    finally:
        lock.release()


HOST_LOCK = ".host.lock"


def current_position(store: IndexStore | None = None) -> changelog.Position | None:
    """The position stored with the live index, or None when there is no index or no position
    (an index from before the change log, or a folder restored without one)."""
    store = store or get_store()
    name = store.current_name()
    if name is None or not store.exists():
        return None
    return changelog.read_position(store.root / name)


def catch_up(batch_size: int = 500) -> int:
    """Apply the change log above this host's position to its index, in batches, and record
    the new position; returns how many documents were updated. A host without a position (a
    new host) or below the pruned horizon (down while the log it needed was pruned) rebuilds
    from the database instead."""
    store = get_store()
    with _host_lock(store), Session(db.engine) as session:
        return _catch_up_locked(store, session, batch_size, may_rebuild=True)


def _catch_up_locked(
    store: IndexStore, session: Session, batch_size: int, *, may_rebuild: bool
) -> int:
    position = current_position(store)
    horizon = changelog.pruned_through(session)
    reason = None
    if position is None:
        reason = "new host: the index has no recorded position in the change log"
    elif position.floor < horizon:
        reason = (
            f"needs changes from id {position.floor + 1}, but the log was pruned through {horizon}"
        )
    if reason is not None:
        if not may_rebuild:
            raise RuntimeError(f"the index cannot join the change log: {reason}")
        log.warning("index host %s %s: rebuilding from the database", changelog.host_name(), reason)
        session.rollback()
        return _rebuild_locked(store, session, None, reason).documents
    return _apply_log(store, session, position, batch_size)


def _apply_log(
    store: IndexStore, session: Session, position: changelog.Position, batch_size: int
) -> int:
    gap_seconds = current_app.config["INDEX_GAP_SECONDS"]
    start, done = position, 0
    while True:
        late, new = changelog.fetch(session, position, batch_size)
        rows = [*late, *new]
        if rows:
            ix, writer = _live_writer(store)
            try:
                _apply(writer, sorted({r.document_id for r in rows}), session)
                fault_point("before_index_commit")
                writer.commit()
            except BaseException:
                _discard(writer)
                session.rollback()
                raise
            fault_point("after_index_commit")
            done += len({r.document_id for r in rows})
        ids = [r.id for r in rows]
        position = changelog.advance(position, ids, now=clock.time(), gap_seconds=gap_seconds)
        if position != start:
            changelog.write_position(store.root / store.current_name(), position)
            fault_point("after_position_write")
        if len(new) < batch_size:
            break
    if position != start and _record_due(store):
        changelog.record_host(session, changelog.host_name(), str(store.root), position)
        session.commit()
    session.rollback()
    return done


_recorded_at: dict[str, float] = {}


def _record_due(store: IndexStore) -> bool:
    """Write the host's position to the database at most once per heartbeat interval: a
    position there that lags only makes pruning keep more, and it saves a commit per change."""
    key, now = str(store.root), clock.monotonic()
    if now - _recorded_at.get(key, -1e9) < current_app.config["INDEX_HEARTBEAT_SECONDS"]:
        return False
    _recorded_at[key] = now
    return True


# --- check and repair ---


@dataclass
class CheckReport:
    missing: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    pending: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)


def _indexable_ids(session: Session | None = None) -> list[int]:
    session = session or db.session
    return list(session.scalars(select(Document.id).where(Document.status == Status.PUBLISHED)))


def _iter_indexable(ids: list[int], chunk: int = 200) -> Iterator[Document]:
    """Documents in chunks, each read in a short session of its own so memory stays flat and
    the caller's session (and the objects it holds) is left alone."""
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        with Session(db.engine) as scan:
            docs = _load_documents(part, scan)
            for doc_id in part:
                if doc_id in docs:
                    yield docs[doc_id]


def check() -> CheckReport:
    """Compare every indexable document's content hash with the index."""
    store = get_store()
    with store.searcher() as searcher:
        indexed = {
            int(fields["id"]): fields.get("content_hash") for fields in searcher.all_stored_fields()
        }
    expected = {doc.id: entry_for(doc)["content_hash"] for doc in _iter_indexable(_indexable_ids())}
    report = CheckReport(
        missing=sorted(set(expected) - set(indexed)),
        extra=sorted(set(indexed) - set(expected)),
        stale=sorted(i for i in set(expected) & set(indexed) if expected[i] != indexed[i]),
        pending=changelog.pending(db.session, current_position(store)),
    )
    db.session.rollback()
    return report


def repair(report: CheckReport) -> None:
    """Bring the index in line with a check report."""
    ids = sorted({*report.missing, *report.extra, *report.stale})
    if not ids:
        return
    ix, writer = _live_writer(get_store())
    try:
        _apply(writer, ids, db.session)
        writer.commit()
    except BaseException:
        _discard(writer)
        raise
    finally:
        db.session.rollback()


@dataclass
class RebuildReport:
    documents: int
    seconds: float


# Texts a rebuild had to render are written back in batches of this many, each in its own short
# transaction, so a first rebuild of a large Hub does not hold every text in memory.
STORE_RENDERED_EVERY = 200


def _store_rendered(rendered: list[Rendered]) -> None:
    if rendered:
        with db.engine.begin() as connection:
            store_rendered(connection, rendered)
        rendered.clear()


class IncompleteRebuild(RuntimeError):
    """A rebuild produced fewer documents than it was given; the live index was kept."""


def rebuild(
    progress: Callable[[int, int], None] | None = None, reason: str = "requested"
) -> RebuildReport:
    """Build a complete index in a new folder and swap it in atomically, then catch up.

    The position stored with the new generation is where it joined the log, read before the
    build started (changelog.join_position), so changes made during the build are applied after
    the swap. The host lock and the live index's write lock are held throughout, so catch-ups
    and repairs wait instead of writing to a generation that is about to be replaced.
    """
    store = get_store()
    with _host_lock(store), Session(db.engine) as session:
        report = _rebuild_locked(store, session, progress, reason)
    return report


def _rebuild_locked(
    store: IndexStore,
    session: Session,
    progress: Callable[[int, int], None] | None,
    reason: str,
) -> RebuildReport:
    started = clock.perf_counter()
    _sweep_locked(store)
    old_writer = _live_writer(store)[1] if store.exists() else None
    try:
        joined = changelog.join_position(
            session, gap_seconds=current_app.config["INDEX_GAP_SECONDS"]
        )
        # Registered before the build, so a prune meanwhile keeps what this host will need.
        name = changelog.host_name()
        changelog.record_host(session, name, str(store.root), joined, rebuilt=reason)
        session.commit()
        ids = _indexable_ids(session)
        session.rollback()
        path = _build(store, ids, progress)
        changelog.write_position(path, joined)
        store.swap(store.publish_build(path))
    finally:
        if old_writer is not None:
            _discard(old_writer)
    store.prune()
    _catch_up_locked(store, session, 500, may_rebuild=False)
    return RebuildReport(documents=len(ids), seconds=clock.perf_counter() - started)


def _build(store: IndexStore, ids: list[int], progress: Callable[[int, int], None] | None) -> Path:
    """A complete index of ``ids`` in a build folder; refused if it lost documents."""
    path, ix = store.create_generation()
    writer = rebuild_writer(ix, len(ids))
    rendered: list[Rendered] = []
    try:
        for n, doc in enumerate(_iter_indexable(ids), start=1):
            writer.add_document(**entry_for(doc, rendered))
            if len(rendered) >= STORE_RENDERED_EVERY:
                _store_rendered(rendered)
            if progress:
                progress(n, len(ids))
        writer.commit()  # a fresh index: one segment per process, nothing to merge
    except BaseException:
        _discard(writer)
        shutil.rmtree(path, ignore_errors=True)
        raise
    built = ix.doc_count()
    if built != len(ids):
        # A writer process that died leaves its documents out without raising here (Whoosh's
        # MpWriter does not report it): such a build must never replace the live index.
        shutil.rmtree(path, ignore_errors=True)
        raise IncompleteRebuild(f"the rebuild indexed {built} of {len(ids)} documents")
    _store_rendered(rendered)
    return path


def _sweep_locked(store: IndexStore) -> int:
    """Remove what killed rebuilds left (store.sweep); the host lock is held, so no build of
    this folder is in progress and no generation is about to be swapped in."""
    freed = store.sweep(generations=True)
    if freed:
        log.warning("removed %.1f MB left in %s by killed rebuilds", freed / 1e6, store.root)
    return freed


def sweep() -> int:
    """Remove abandoned build folders and old generations (``flask hub check-index``, the
    start-up check, each rebuild); returns the bytes freed. While a rebuild or catch-up holds
    the host lock, only builds whose process is gone are removed."""
    store = get_store()
    store.root.mkdir(parents=True, exist_ok=True)
    lock = HolderLock(store.root / HOST_LOCK)
    if not lock.acquire():
        return store.sweep(generations=False)
    try:
        return _sweep_locked(store)
    finally:
        lock.release()


def startup_check() -> CheckReport | None:
    """Cheap consistency check when a host's follower starts: rebuild an index that is missing
    or has an older schema, catch up with the log, then compare counts.

    A full hash comparison runs only when the cheap signs disagree, so start-up stays fast.
    """
    if not inspect(db.engine).has_table(IndexChange.__tablename__):
        return None  # schema not migrated yet: nothing to check
    store = get_store()
    sweep()
    if not store.is_current_schema():
        log.info("search index missing or built with an older schema: rebuilding")
        rebuild(reason="index missing or built with an older schema")
        return None
    catch_up()
    return cheap_check()


def cheap_check() -> CheckReport | None:
    """Compare the number of entries with the number of published documents; only when they
    differ, compare every hash and repair. Returns the full report when one was made."""
    with get_store().searcher() as searcher:
        indexed_count = searcher.doc_count()
    if indexed_count == len(_indexable_ids()):
        db.session.rollback()
        return None
    report = check()
    if not report.ok:
        log.warning(
            "search index out of step (missing %d, extra %d, stale %d): repairing",
            len(report.missing), len(report.extra), len(report.stale),
        )  # fmt: skip
        repair(report)
    return report


FOLLOW_MODES = ("thread", "inline")


def register(app: Flask) -> None:
    """Check how this app's index follows the change log. Requests never write the index:
    with "thread" a follower (follower.py) applies the log, with "inline" (tests, scripts) the
    commit hook above does."""
    mode = app.config.setdefault("INDEX_FOLLOW", "thread")
    if mode not in FOLLOW_MODES:
        raise ValueError(f"INDEX_FOLLOW must be one of {', '.join(FOLLOW_MODES)}, not {mode!r}")
