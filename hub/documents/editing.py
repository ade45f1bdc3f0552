"""Writing documents from the workspace: create, update with optimistic locking, attach PDFs.

A save carries the version the editor started from. If someone else saved in between, the save
is refused with Conflict and the caller shows the editor's own text again, so nothing is lost.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext as _
from slugify import slugify
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from hub import audit, jobs, permissions
from hub.accounts.models import Role, User
from hub.countries.models import Country
from hub.documents import revisions, service
from hub.documents.attachments import attachment_from_file
from hub.documents.models import (
    Area,
    Attachment,
    Document,
    ExtractionStatus,
    Kind,
    Status,
    Visibility,
)
from hub.errors import Conflict, Invalid, NotFound
from hub.extensions import db
from hub.permissions import Action

MAX_BODY = 200_000


@dataclass
class DocumentInput:
    title: str
    summary: str = ""
    body: str = ""
    language: str = "en"
    country: str | None = None  # staff only; focal points always write for their own country
    goals: list[int] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    visibility: Visibility = Visibility.PUBLIC
    parent_slug: str | None = None
    position: int = 0
    # Slugs of the guidebook sections a brief or experience illustrates; None leaves them as
    # they are (a caller that does not offer the choice must not clear them).
    topics: list[str] | None = None


def _unique_slug(title: str) -> str:
    base = slugify(title, max_length=80, word_boundary=True) or "document"
    slug, n = base, 1
    while db.session.scalar(select(Document.id).where(Document.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _country_for(kind: Kind, data: DocumentInput, by: User) -> Country | None:
    if kind is Kind.GUIDEBOOK_SECTION:
        return None
    if by.role is Role.FOCAL_POINT:
        return by.country
    if not data.country:
        raise Invalid(_("Choose the country this document is about."))
    country = db.session.scalar(select(Country).where(Country.iso3 == data.country.upper()))
    if country is None:
        raise Invalid(_("Unknown country code."))
    return country


def _apply(doc: Document, data: DocumentInput, by: User) -> None:
    title = " ".join(data.title.split())
    if not title or len(title) > 300:
        raise Invalid(_("Give a title of at most 300 characters."))
    if len(data.body) > MAX_BODY:
        raise Invalid(_("The text is too long (at most %(n)d characters).", n=MAX_BODY))
    if len(data.summary) > 1000:
        raise Invalid(_("The summary is too long (at most 1,000 characters)."))
    doc.title, doc.summary, doc.body = title, data.summary.strip(), data.body
    doc.language, doc.visibility = data.language, data.visibility
    service.set_goals_and_targets(doc, data.goals, data.targets)
    service.set_areas(doc, data.areas)
    service.set_tags(doc, data.tags)
    if doc.kind is Kind.GUIDEBOOK_SECTION:
        doc.position = data.position
        doc.parent = _parent(doc, data.parent_slug)
    elif data.topics is not None:
        doc.topics = _topics(doc, data.topics, by)


def _topics(doc: Document, slugs: list[str], by: User) -> list[Document]:
    """The sections chosen, each one ``by`` may read, plus those already tagged that ``by`` may
    not read: a tag the Secretariat set to a draft section is not lost when a focal point, who
    never saw that section offered, saves the brief."""
    wanted = sorted(set(slugs))
    found = {
        d.slug: d
        for d in db.session.scalars(
            select(Document).where(
                Document.slug.in_(wanted), Document.kind == Kind.GUIDEBOOK_SECTION
            )
        )
    }
    for slug in wanted:
        if slug not in found or not permissions.can(by, Action.DOCUMENT_READ, found[slug]):
            raise Invalid(_("“%(slug)s” is not a guidebook section you can choose.", slug=slug))
    hidden = [t for t in doc.topics if not permissions.can(by, Action.DOCUMENT_READ, t)]
    return sorted([found[slug] for slug in wanted] + hidden, key=lambda d: d.slug)


def _parent(doc: Document, slug: str | None) -> Document | None:
    if not slug:
        return None
    parent = db.session.scalar(
        select(Document).where(Document.slug == slug, Document.kind == Kind.GUIDEBOOK_SECTION)
    )
    if parent is None:
        raise Invalid(_("The parent section does not exist."))
    ancestor = parent
    while ancestor is not None:
        if ancestor is doc:
            raise Invalid(_("A section cannot sit inside itself."))
        ancestor = ancestor.parent
    return parent


def create(kind: Kind, data: DocumentInput, *, by: User) -> Document:
    """A new draft; focal points always write for their own country."""
    permissions.require(by, Action.DOCUMENT_CREATE, kind)
    doc = Document(kind=kind, slug=_unique_slug(data.title), status=Status.DRAFT, author_id=by.id)
    doc.country = _country_for(kind, data, by)
    db.session.add(doc)
    with db.session.no_autoflush:
        _apply(doc, data, by)
        revisions.record(doc, by=by, note="created")
    db.session.commit()
    audit.log("document_create", "success", user=by, obj=doc)
    return doc


def update(
    doc: Document, data: DocumentInput, *, expected_version: int, by: User, note: str = ""
) -> bool:
    """Save an edit; returns False when nothing changed. Raises Conflict on a lost race."""
    permissions.require(by, Action.DOCUMENT_EDIT, doc)
    if doc.version != expected_version:
        raise Conflict(_conflict_message())
    before = revisions.snapshot(doc)
    with db.session.no_autoflush:
        if by.is_staff and doc.kind is not Kind.GUIDEBOOK_SECTION and data.country:
            doc.country = _country_for(doc.kind, data, by)
        _apply(doc, data, by)
        if revisions.snapshot(doc) == before:
            db.session.rollback()
            return False
        revisions.record(doc, by=by, note=note[:500] or "edited")
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_conflict_message()) from None
    audit.log("document_edit", "success", user=by, obj=doc)
    return True


def _conflict_message() -> str:
    return _(
        "Someone else saved this document while you were editing. Your text is kept below: "
        "compare it with the current version, then save again."
    )


def restore(doc: Document, number: int, *, expected_version: int, by: User) -> None:
    """Make an old revision's text the current one, as a new revision."""
    permissions.require(by, Action.REVISION_RESTORE, doc)
    old = next((r for r in doc.revisions if r.number == number), None)
    if old is None:
        raise NotFound()
    snap = old.snapshot
    data = DocumentInput(
        title=snap["title"], summary=snap["summary"], body=snap["body"],
        language=snap["language"], country=snap.get("country"), goals=snap["goals"],
        targets=snap["targets"], areas=[Area(a) for a in snap["areas"]], tags=snap["tags"],
        visibility=Visibility(snap["visibility"]), parent_slug=snap.get("parent"),
        position=snap.get("position", 0), topics=snap.get("topics"),
    )  # fmt: skip
    update(doc, data, expected_version=expected_version, by=by, note=f"restored revision {number}")


def attach_pdf(doc: Document, source: Path, filename: str, *, by: User) -> Attachment:
    """Store an uploaded PDF (checked by content); its text is extracted by a queued job."""
    permissions.require(by, Action.ATTACHMENT_UPLOAD, doc)
    safe_name = _safe_filename(filename)
    if any(a.filename == safe_name for a in doc.attachments):
        raise Invalid(_("An attachment with this file name exists; rename the file."))
    _check_quota(by, source.stat().st_size)
    attachment = attachment_from_file(
        source, filename=safe_name, position=len(doc.attachments), extract=False
    )
    attachment.uploaded_by_id = by.id
    doc.attachments.append(attachment)
    revisions.record(doc, by=by, note=f"attached {safe_name}")
    db.session.commit()
    audit.log("upload", "accepted", user=by, obj=attachment)
    jobs.enqueue("extract_attachment_text", attachment.id)
    return attachment


def _check_quota(by: User, size: int) -> None:
    """Each person may store a bounded number of files and bytes, so no one fills the disk."""
    files, used = db.session.execute(
        select(func.count(Attachment.id), func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.uploaded_by_id == by.id
        )
    ).one()
    limit_files = current_app.config["UPLOAD_QUOTA_FILES"]
    limit_bytes = current_app.config["UPLOAD_QUOTA_MB"] * 1024 * 1024
    if files + 1 > limit_files or used + size > limit_bytes:
        raise Invalid(
            _(
                "Your upload quota is used up (%(files)d files, %(mb)d MB). "
                "Ask the Secretariat to remove old attachments or raise your quota.",
                files=limit_files,
                mb=current_app.config["UPLOAD_QUOTA_MB"],
            )
        )


def _safe_filename(name: str) -> str:
    stem = slugify(Path(name or "").stem, max_length=80) or "attachment"
    return f"{stem}.pdf"


def _slots(app: Flask) -> threading.BoundedSemaphore:
    slots = app.extensions.get("hub_extract_slots")
    if slots is None:
        slots = app.extensions["hub_extract_slots"] = threading.BoundedSemaphore(
            app.config["EXTRACTION_CONCURRENCY"]
        )
    return slots


def extract_pending(app: Flask, attachment_id: int) -> None:
    """Extract a pending attachment's text (the ``extract_attachment_text`` job); an attachment
    already done, or gone, is left alone, so running this twice changes nothing.

    A semaphore bounds how many child processes (each allowed 768 MB) run at once in this
    process, whatever the number of queue workers.
    """
    from hub.documents.attachments import extract_into

    with _slots(app), app.app_context():
        attachment = db.session.get(Attachment, attachment_id)
        if attachment is not None and attachment.extraction_status is ExtractionStatus.PENDING:
            extract_into(attachment)
            db.session.commit()  # the host's follower (or, inline, the commit) indexes it
        db.session.remove()
