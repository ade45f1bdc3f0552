"""The one path from documents to the search index.

The database is the source of truth. Every change to a document writes an ``IndexOutbox`` row in the
same transaction (a session hook does it, so no ORM code path can forget; bulk UPDATE or DELETE
statements bypass the ORM and must call ``enqueue()`` for the ids they touch). ``drain()`` applies
those rows
to Whoosh; ``check()`` compares the index with the database; ``rebuild()`` builds a fresh index and
swaps it in. Only these three open a writer, always with a timeout, and any failure cancels the
writer so its lock is released. Applying a row twice gives the same index, so replays are safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import delete, event, func, inspect, select
from sqlalchemy.orm import Session, selectinload
from whoosh.index import EmptyIndexError, FileIndex
from whoosh.writing import IndexWriter

from hub import permissions
from hub.documents.body_text import Rendered, body_text, store_rendered
from hub.documents.models import Attachment, Document, Status
from hub.extensions import db
from hub.search.analysis import group_for
from hub.search.engine import WRITER_OPTIONS, rebuild_writer
from hub.search.models import IndexOutbox
from hub.search.schema import text_field
from hub.search.store import IndexStore

log = logging.getLogger(__name__)

# Private-use characters that the snippet formatter uses as match markers; never indexed.
_MARKERS = str.maketrans("", "", "\ue000\ue001")


class SimulatedCrash(RuntimeError):
    """Raised at a named fault point when a test asks for it (``INDEX_FAULTS`` config)."""


def fault_point(name: str) -> None:
    if name in current_app.config.get("INDEX_FAULTS", ()):
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


# --- the outbox ---


def enqueue(session: Session, document_ids: Iterable[int]) -> None:
    """Add outbox rows in the caller's transaction; the session hook calls it for every change."""
    rows = [{"document_id": i} for i in sorted(set(document_ids)) if i is not None]
    if rows:
        session.connection().execute(IndexOutbox.__table__.insert(), rows)
        session.info["hub_outbox_written"] = True


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
def _outbox_after_flush(session: Session, flush_context) -> None:  # noqa: ANN001
    ids = _changed_document_ids(session)
    if ids:
        enqueue(session, ids)


@event.listens_for(Session, "after_commit")
def _remember_pending(session: Session) -> None:
    if session.info.pop("hub_outbox_written", False):
        # Outside an app context (plain scripts) there is no ``g``: drain is explicit there.
        with contextlib.suppress(RuntimeError):
            g.hub_index_pending = True


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop("hub_outbox_written", None)


# --- writers ---


def _writer(ix: FileIndex) -> IndexWriter:
    timeout = current_app.config["INDEX_WRITER_TIMEOUT"]
    return ix.writer(timeout=timeout, delay=0.05, **WRITER_OPTIONS)


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


def _apply(writer: IndexWriter, document_ids: Iterable[int]) -> None:
    docs = _load_documents(document_ids)
    for doc_id in document_ids:
        doc = docs.get(doc_id)
        if doc is not None and is_indexable(doc):
            writer.update_document(**entry_for(doc))
        else:
            writer.delete_by_term("id", str(doc_id))


def drain(batch_size: int = 500) -> int:
    """Apply pending outbox rows to the index; returns how many documents were updated."""
    store = get_store()
    done = 0
    while True:
        ix, writer = _live_writer(store)
        try:
            rows = db.session.execute(
                select(IndexOutbox.id, IndexOutbox.document_id)
                .order_by(IndexOutbox.id)
                .limit(batch_size)
            ).all()
            if not rows:
                writer.cancel()
                db.session.rollback()
                return done
            document_ids = sorted({r.document_id for r in rows})
            _apply(writer, document_ids)
            fault_point("before_index_commit")
            writer.commit()
        except BaseException:
            writer.cancel()
            db.session.rollback()
            raise
        fault_point("after_index_commit")
        db.session.execute(delete(IndexOutbox).where(IndexOutbox.id.in_([r.id for r in rows])))
        db.session.commit()
        done += len(document_ids)
        if len(rows) < batch_size:
            return done


def drain_quietly() -> None:
    """Drain after a request; a failure leaves the rows in the outbox for the next drain."""
    try:
        drain()
    except Exception:
        log.exception("search index update failed; the outbox keeps the change for a retry")


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


def _indexable_ids() -> list[int]:
    return list(db.session.scalars(select(Document.id).where(Document.status == Status.PUBLISHED)))


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
        pending=db.session.scalar(select(func.count(IndexOutbox.id))) or 0,
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
        _apply(writer, ids)
        writer.commit()
    except BaseException:
        writer.cancel()
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


def rebuild(progress: Callable[[int, int], None] | None = None) -> RebuildReport:
    """Build a complete index in a new folder and swap it in atomically.

    The live index's write lock is held throughout, so drains wait instead of writing to a
    generation that is about to be replaced; rows they leave are applied after the swap.
    """
    import time as clock

    started = clock.perf_counter()
    store = get_store()
    old_writer = _live_writer(store)[1] if store.exists() else None
    try:
        last_outbox = db.session.scalar(select(func.max(IndexOutbox.id)))
        ids = _indexable_ids()
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
            writer.cancel()
            shutil.rmtree(path, ignore_errors=True)
            raise
        built = ix.doc_count()
        if built != len(ids):
            # A writer process that died leaves its documents out without raising here (Whoosh's
            # MpWriter does not report it): such a build must never replace the live index.
            shutil.rmtree(path, ignore_errors=True)
            raise IncompleteRebuild(f"the rebuild indexed {built} of {len(ids)} documents")
        store.swap(store.publish_build(path))
        if last_outbox is not None:
            db.session.execute(delete(IndexOutbox).where(IndexOutbox.id <= last_outbox))
        db.session.commit()
        _store_rendered(rendered)
    finally:
        if old_writer is not None:
            old_writer.cancel()
    store.prune()
    drain()
    return RebuildReport(documents=len(ids), seconds=clock.perf_counter() - started)


def startup_check() -> CheckReport | None:
    """Cheap consistency check at start-up: replay the outbox, then compare counts.

    A full hash comparison runs only when the cheap signs disagree, so start-up stays fast.
    """
    if not inspect(db.engine).has_table(IndexOutbox.__tablename__):
        return None  # schema not migrated yet: nothing to check
    store = get_store()
    if not store.is_current_schema():
        log.info("search index missing or built with an older schema: rebuilding")
        rebuild()
        return None
    drain()
    with store.searcher() as searcher:
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


_startup_lock = threading.Lock()


def register(app: Flask) -> None:
    state = {"checked": not app.config["CHECK_INDEX_ON_START"]}

    @app.before_request
    def _check_once() -> None:
        if state["checked"]:
            return
        with _startup_lock:
            if not state["checked"]:
                try:
                    startup_check()
                except Exception:
                    log.exception("start-up index check failed; search may be out of date")
                state["checked"] = True

    @app.after_request
    def _drain_after_change(response):  # noqa: ANN001, ANN202
        if g.pop("hub_index_pending", False):
            drain_quietly()
        return response
