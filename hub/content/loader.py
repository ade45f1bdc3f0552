"""Loading content files into the database, idempotently, each file all or nothing.

A file that did not change since its last load writes nothing, whatever the Hub did to its document
since; a changed one updates the document and records a revision, unless people changed the
document in the Hub since that load: then the file is a conflict and is skipped (hub/content/
tracking.py), or applied over the Hub's version with ``force``. Rejections and conflicts are
collected with their reasons and never stop the other files.

Files are read on every CPU (hub/content/reading.py) and committed in chunks, each file in a
savepoint of its own; a load that changes much of the index rebuilds it once at the end
instead of applying every change (``rebuild_if_faster``). bench/bulk_load.py measures both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from hub import database
from hub.content import tracking
from hub.content.known import Known
from hub.content.parser import DocumentData, Rejected
from hub.content.reading import checked_in_order
from hub.countries.models import Country
from hub.documents import files, revisions, service
from hub.documents.attachments import attachment_from_file
from hub.documents.models import Attachment, Document, Kind, Status
from hub.errors import HubError
from hub.extensions import db
from hub.search import indexing


@dataclass
class Conflict:
    """A changed file whose document was also changed in the Hub since the file's last load."""

    path: str
    slug: str
    reason: str
    revision: int | None  # the revision holding the Hub's version


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    # Conflicts applied anyway (``force``); their slugs are in ``updated`` too.
    forced: list[Conflict] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    index_error: str | None = None

    @property
    def ok(self) -> bool:
        """Conflicts are not failures: the Hub's version is kept and the report says so."""
        return not self.rejected and self.index_error is None

    def summary(self) -> str:
        conflicts = len(self.conflicts)
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, "
            f"{conflicts} conflict{'' if conflicts == 1 else 's'}, "
            f"{len(self.rejected)} rejected"
        )


@dataclass
class Applied:
    """What ``apply`` did: created, updated, unchanged or conflict."""

    outcome: str
    dropped: list[str] = field(default_factory=list)  # stored names of replaced attachments
    change: tracking.HubChange | None = None  # how the Hub changed the document, if it did
    remember: bool = False  # an unchanged outcome that should still record the file's hash
    remember_revision: int | None = None  # the revision it matches (default: the latest)
    document: Document | None = None  # the document created or updated


def _check_parent(doc: Document, data: DocumentData) -> Document | None:
    if data.parent is None:
        return None
    parent = db.session.scalar(select(Document).where(Document.slug == data.parent))
    if parent is None or parent.kind is not Kind.GUIDEBOOK_SECTION:
        raise Rejected(f"parent section {data.parent!r} not found")
    ancestor = parent
    while ancestor is not None:
        if ancestor is doc:
            raise Rejected(f"parent {data.parent!r} would make a loop in the guidebook")
        ancestor = ancestor.parent
    return parent


def _topics(data: DocumentData) -> list[Document]:
    """The guidebook sections a file names under ``topics``; an unknown slug rejects the file."""
    if not data.topics:
        return []
    found = {
        d.slug: d
        for d in db.session.scalars(select(Document).where(Document.slug.in_(data.topics)))
    }
    for slug in data.topics:
        section = found.get(slug)
        if section is None or section.kind is not Kind.GUIDEBOOK_SECTION:
            raise Rejected(f"unknown topic {slug!r}: no guidebook section has that slug")
    return sorted((found[slug] for slug in data.topics), key=lambda d: d.slug)


def _sync_attachments(doc: Document, paths: list[Path], stored: list[Path]) -> list[str]:
    """Keep unchanged files, add new or changed ones; returns stored names that were dropped."""
    existing = {a.filename: a for a in doc.attachments}
    wanted: list[Attachment] = []
    for position, source in enumerate(paths):
        sha = files.sha256_of(source)
        current = existing.get(source.name)
        if current is not None and current.sha256 == sha:
            current.position = position
            wanted.append(current)
            continue
        try:
            attachment = attachment_from_file(source, filename=source.name, position=position)
        except HubError as exc:
            raise Rejected(exc.message) from None
        stored.append(files.path_for(attachment.stored_name))
        wanted.append(attachment)
    dropped = [a.stored_name for a in doc.attachments if a not in wanted]
    if [id(a) for a in doc.attachments] != [id(a) for a in wanted]:
        doc.attachments = wanted
    return dropped


def _set_fields(
    doc: Document,
    data: DocumentData,
    country: Country | None,
    *,
    is_new: bool,
    stored: list[Path],
    topics_before: list[str] | None,
    known: Known,
) -> list[str]:
    """Everything the file says, onto ``doc``; returns stored names of replaced attachments."""
    doc.parent = _check_parent(doc, data)
    doc.title, doc.summary, doc.body = data.title, data.summary, data.body
    for name, value in data.stored_text.items():  # the save hook then has nothing to render
        setattr(doc, name, value)
    doc.language, doc.country = data.language, country
    doc.status, doc.visibility = data.status, data.visibility
    doc.position, doc.is_example = data.order, data.is_example
    published_on = data.published_on or (None if is_new else doc.published_on)
    doc.published_on = service.publish_date_for(data.status, published_on)
    try:
        service.set_goals_and_targets(doc, data.goals, data.targets, known.rows)
    except HubError as exc:
        raise Rejected(exc.message) from None
    service.set_areas(doc, data.areas)
    service.set_tags(doc, data.tags, known.rows)
    topics = _topics(data)
    if [t.slug for t in topics] != topics_before:
        doc.topics = topics
    return _sync_attachments(doc, data.attachments, stored)


def apply(
    data: DocumentData,
    *,
    source: str,
    stored: list[Path],
    sha256: str,
    force: bool = False,
    known: Known | None = None,
) -> Applied:
    """Create or update the document a file describes, unless the file is the one last loaded
    (``sha256`` is its fingerprint) or the document was changed in the Hub since (a conflict,
    unless ``force``). ``known``: the rows of the transaction's files, looked up together
    (hub/content/known.py). Leaves committing to the caller."""
    known = known or Known.fetch([data])
    country = None
    if data.country:
        country = known.country(data.country)
        if country is None:
            raise Rejected(f"unknown country code {data.country!r}")
    doc = known.document(data.slug)
    if doc is not None and doc.kind is not data.kind:
        raise Rejected(f"slug {data.slug!r} is already used by a {doc.kind.value}")
    is_new = doc is None
    if not is_new and doc.loaded_sha256 == sha256:
        return Applied("unchanged")
    change = None if is_new else tracking.hub_change(doc)
    # Loaded before the loader kept track: the file may still be the one last loaded.
    last_load = tracking.last_load(doc) if change and doc.loaded_revision is None else None
    before = None if is_new else revisions.snapshot(doc)
    # Topics are replaced only when they change, so an unchanged file touches no link rows.
    topics_before = None if is_new else [t.slug for t in doc.topics]
    with db.session.no_autoflush:
        if is_new:
            doc = Document(kind=data.kind, slug=data.slug)
            db.session.add(doc)
        dropped = _set_fields(
            doc,
            data,
            country,
            is_new=is_new,
            stored=stored,
            topics_before=topics_before,
            known=known,
        )
        after = revisions.snapshot(doc)
        if not is_new and after == before and [t.slug for t in doc.topics] == topics_before:
            return Applied("unchanged", remember=True)
        if last_load is not None and tracking.reads_as(after, last_load):
            return Applied("unchanged", remember=True, remember_revision=last_load.number)
        if change is not None and not force:
            return Applied("conflict", change=change)
        revision = revisions.record(doc, note=f"loaded from {source}")
        tracking.remember(doc, sha256, revision.number)
    return Applied("created" if is_new else "updated", dropped, change, document=doc)


def load_paths(
    paths: Iterable[Path],
    progress: Callable[[int, int], None] | None = None,
    *,
    force: bool = False,
) -> LoadReport:
    """Load every content file under ``paths``, then bring the search index up to date.

    ``force`` applies changed files even to documents changed in the Hub since their last load;
    each such load is a revision, so the Hub's version can be restored from the history. Files
    that did not change are left alone even then."""
    report = LoadReport()
    ordered = checked_in_order([Path(p) for p in paths], report.rejected)
    done = 0
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        _load_chunk(chunk, report, force=force)
        for _item in chunk:
            done += 1
            if progress:
                progress(done, len(ordered))
    try:
        rebuild_if_faster(len(report.created) + len(report.updated))
        indexing.catch_up()
    except Exception as exc:  # the change log keeps the rows; the follower retries
        report.index_error = f"search index not updated: {exc}"
    return report


# Files per transaction. Each file is still all-or-nothing (a savepoint of its own); one commit
# per file made a large load wait on the disk thousands of times. A chunk holds the database's
# write lock while it runs, so it stays short enough for other writers' busy timeout.
CHUNK = 100


def _load_chunk(items: list[tuple[Path, DocumentData]], report: LoadReport, *, force: bool) -> None:
    """Load ``items`` in one transaction, each file in a savepoint. If the transaction itself
    fails, the files are loaded again one transaction each, so one bad file cannot take the
    others with it."""
    part = LoadReport()
    stored: list[Path] = []
    dropped: list[str] = []
    try:
        _begin()
        known = Known.fetch(data for _path, data in items)
        for path, data in items:
            _load_one(path, data, part, force=force, known=known, stored=stored, dropped=dropped)
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        for kept in stored:
            kept.unlink(missing_ok=True)
        if len(items) == 1:
            report.rejected.append((str(items[0][0]), _reason(exc)))
            return
        for item in items:
            _load_chunk([item], report, force=force)
        return
    for name in dropped:  # replaced attachments go only once their replacement is committed
        files.path_for(name).unlink(missing_ok=True)
    _merge(report, part)


def _merge(report: LoadReport, part: LoadReport) -> None:
    for name in ("created", "updated", "unchanged", "conflicts", "forced", "rejected"):
        getattr(report, name).extend(getattr(part, name))


def _begin() -> None:
    """Open the chunk's transaction. Python's sqlite3 driver opens one only at the first write,
    so a SAVEPOINT before it would start a transaction of its own, and releasing it would commit
    (SQLAlchemy's pysqlite notes, "Serializable isolation / Savepoints / Transactional DDL").
    IMMEDIATE takes the write lock now: a read snapshot upgraded to a write later fails at once
    if another connection wrote meanwhile, instead of waiting its turn."""
    database.lock_sqlite_for_writing()


def _load_one(
    path: Path,
    data: DocumentData,
    report: LoadReport,
    *,
    force: bool,
    known: Known,
    stored: list[Path],
    dropped: list[str],
) -> None:
    """One file in a savepoint of the chunk's transaction: all of it or nothing of it."""
    mine: list[Path] = []
    savepoint = db.session.begin_nested()
    try:
        sha256 = tracking.fingerprint(path, data.attachments)
        result = apply(data, source=path.name, stored=mine, sha256=sha256, force=force, known=known)
        if result.outcome in ("created", "updated"):
            savepoint.commit()
            stored.extend(mine)
            if result.document is not None:  # the chunk sees the documents it created
                known.documents[data.slug] = result.document
        else:
            savepoint.rollback()
            for kept in mine:  # nothing changed, so nothing new may stay on disk
                kept.unlink(missing_ok=True)
            if result.remember:
                savepoint = db.session.begin_nested()
                tracking.remember_only(data.slug, sha256, result.remember_revision)
                savepoint.commit()
    except (Rejected, IntegrityError, SQLAlchemyError, OSError) as exc:
        savepoint.rollback()  # a flush that failed leaves it inactive but still open
        for kept in mine:
            kept.unlink(missing_ok=True)
        report.rejected.append((str(path), _reason(exc)))
        return
    dropped.extend(result.dropped)
    if result.change is not None:
        conflict = Conflict(str(path), data.slug, result.change.reason, result.change.latest)
        (report.conflicts if result.outcome == "conflict" else report.forced).append(conflict)
        if result.outcome == "conflict":
            return
    getattr(report, result.outcome).append(data.slug)


# When a load changes many documents, the index is rebuilt once instead of applying each change:
# applying a document costs about four times its share of a rebuild (one process, a Whoosh commit
# per batch of changes, merges of the segments they leave), measured with bench/bulk_load.py.
# So a load that changes at least a quarter as many documents as the index will hold rebuilds
# it, and never for fewer than REBUILD_FROM: a small load keeps the live index and its readers.
REBUILD_SHARE = 0.25
REBUILD_FROM = 500


def rebuild_is_faster(changed: int, indexable: int, minimum: int = REBUILD_FROM) -> bool:
    """Whether rebuilding an index of ``indexable`` documents beats applying ``changed``."""
    return changed >= minimum and changed >= indexable * REBUILD_SHARE


def rebuild_if_faster(changed: int) -> bool:
    """Rebuild the index after a load that changed ``changed`` documents, if that is faster
    than applying the changes one by one; True if it did. The config key
    ``CONTENT_REBUILD_FROM`` lowers the minimum (tests do)."""
    minimum = current_app.config.get("CONTENT_REBUILD_FROM", REBUILD_FROM)
    if changed < minimum:  # most loads: no need to count the index
        return False
    indexable = db.session.scalar(
        select(func.count(Document.id)).where(Document.status == Status.PUBLISHED)
    )
    db.session.rollback()
    if not rebuild_is_faster(changed, indexable or 0, minimum):
        return False
    indexing.rebuild()
    return True


def _reason(exc: Exception) -> str:
    if isinstance(exc, Rejected):
        return exc.reason
    if isinstance(exc, OSError):
        return f"could not read it: {exc}"
    return f"database refused it: {getattr(exc, 'orig', exc)}"
