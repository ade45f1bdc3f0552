"""Loading content files into the database, idempotently, one transaction per file.

A file that did not change since its last load writes nothing, whatever the Hub did to its document
since; a changed one updates the document and records a revision, unless people changed the
document in the Hub since that load: then the file is a conflict and is skipped (hub/content/
tracking.py), or applied over the Hub's version with ``force``. Rejections and conflicts are
collected with their reasons and never stop the other files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from hub.content import tracking
from hub.content.parser import DocumentData, Rejected, parse_file
from hub.countries.models import Country
from hub.documents import files, revisions, service
from hub.documents.attachments import attachment_from_file
from hub.documents.models import Attachment, Document, Kind
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


def collect_files(paths: Iterable[Path], report: LoadReport) -> list[Path]:
    """Markdown files under the given paths, skipping names that start with '_' or '.'."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            for candidate in sorted(path.rglob("*.md")):
                parts = candidate.relative_to(path).parts
                if any(part.startswith((".", "_")) for part in parts):
                    continue
                found.append(candidate)
        else:
            report.rejected.append((str(path), "no such file or folder"))
    # The same file reached through two spellings of its path is loaded once.
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _order_by_parent(items: list[tuple[Path, DocumentData]]) -> list[tuple[Path, DocumentData]]:
    """Parents before children when both are in the same load."""
    by_slug = {data.slug: (path, data) for path, data in items}
    ordered: list[tuple[Path, DocumentData]] = []
    seen: set[str] = set()

    def visit(slug: str, trail: tuple[str, ...]) -> None:
        if slug in seen or slug in trail:
            return
        path, data = by_slug[slug]
        if data.parent in by_slug:
            visit(data.parent, (*trail, slug))
        seen.add(slug)
        ordered.append((path, data))

    for _path, data in items:
        visit(data.slug, ())
    return ordered


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
) -> list[str]:
    """Everything the file says, onto ``doc``; returns stored names of replaced attachments."""
    doc.parent = _check_parent(doc, data)
    doc.title, doc.summary, doc.body = data.title, data.summary, data.body
    doc.language, doc.country = data.language, country
    doc.status, doc.visibility = data.status, data.visibility
    doc.position, doc.is_example = data.order, data.is_example
    published_on = data.published_on or (None if is_new else doc.published_on)
    doc.published_on = service.publish_date_for(data.status, published_on)
    try:
        service.set_goals_and_targets(doc, data.goals, data.targets)
    except HubError as exc:
        raise Rejected(exc.message) from None
    service.set_areas(doc, data.areas)
    service.set_tags(doc, data.tags)
    topics = _topics(data)
    if [t.slug for t in topics] != topics_before:
        doc.topics = topics
    return _sync_attachments(doc, data.attachments, stored)


def apply(
    data: DocumentData, *, source: str, stored: list[Path], sha256: str, force: bool = False
) -> Applied:
    """Create or update the document a file describes, unless the file is the one last loaded
    (``sha256`` is its fingerprint) or the document was changed in the Hub since (a conflict,
    unless ``force``). Leaves committing to the caller."""
    country = None
    if data.country:
        country = db.session.scalar(select(Country).where(Country.iso3 == data.country))
        if country is None:
            raise Rejected(f"unknown country code {data.country!r}")
    doc = db.session.scalar(select(Document).where(Document.slug == data.slug))
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
            doc, data, country, is_new=is_new, stored=stored, topics_before=topics_before
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
    return Applied("created" if is_new else "updated", dropped, change)


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
    candidates = collect_files([Path(p) for p in paths], report)
    parsed: list[tuple[Path, DocumentData]] = []
    for path in candidates:
        try:
            parsed.append((path, parse_file(path)))
        except Rejected as exc:
            report.rejected.append((str(path), exc.reason))
    slugs: dict[str, list[Path]] = {}
    for path, data in parsed:
        slugs.setdefault(data.slug, []).append(path)
    unique: list[tuple[Path, DocumentData]] = []
    for path, data in parsed:
        others = [str(p) for p in slugs[data.slug] if p != path]
        if others:
            report.rejected.append(
                (str(path), f"duplicate slug {data.slug!r}: also in {others[0]}")
            )
        else:
            unique.append((path, data))

    # Sections first: briefs and experiences name them as topics, and content/briefs sorts first.
    unique.sort(key=lambda item: item[1].kind is not Kind.GUIDEBOOK_SECTION)
    ordered = _order_by_parent(unique)
    for n, (path, data) in enumerate(ordered, start=1):
        _load_one(path, data, report, force=force)
        if progress:
            progress(n, len(ordered))
    try:
        indexing.catch_up()
    except Exception as exc:  # the change log keeps the rows; the follower retries
        report.index_error = f"search index not updated: {exc}"
    return report


def _load_one(path: Path, data: DocumentData, report: LoadReport, *, force: bool) -> None:
    stored: list[Path] = []
    try:
        sha256 = tracking.fingerprint(path, data.attachments)
        result = apply(data, source=path.name, stored=stored, sha256=sha256, force=force)
        if result.outcome in ("created", "updated"):
            db.session.commit()
        else:
            db.session.rollback()
            for kept in stored:  # nothing changed, so nothing new may stay on disk
                kept.unlink(missing_ok=True)
            if result.remember:
                tracking.remember_only(data.slug, sha256, result.remember_revision)
                db.session.commit()
    except (Rejected, IntegrityError, SQLAlchemyError, OSError) as exc:
        db.session.rollback()
        for kept in stored:
            kept.unlink(missing_ok=True)
        report.rejected.append((str(path), _reason(exc)))
        return
    for name in result.dropped:
        files.path_for(name).unlink(missing_ok=True)
    if result.change is not None:
        conflict = Conflict(str(path), data.slug, result.change.reason, result.change.latest)
        (report.conflicts if result.outcome == "conflict" else report.forced).append(conflict)
        if result.outcome == "conflict":
            return
    getattr(report, result.outcome).append(data.slug)


def _reason(exc: Exception) -> str:
    if isinstance(exc, Rejected):
        return exc.reason
    if isinstance(exc, OSError):
        return f"could not read it: {exc}"
    return f"database refused it: {getattr(exc, 'orig', exc)}"
