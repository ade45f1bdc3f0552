"""Corrections of published briefs and experiences.

A country cannot change what the Secretariat has published, but it can propose a correction: a
working copy (a Document row pointing at the original through ``revision_of_id``) that goes
through the same review as any submission. The published document stays online, unchanged and
searchable, until the correction is published; then the original takes the correction's content
(same slug, same URL, a revision recorded) and the working copy is removed. A correction is never
published itself, so no listing, feed, search or count can show it as a second document.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub import audit, permissions
from hub.accounts.models import User
from hub.documents import revisions, service
from hub.documents.models import Document, Status, WorkflowEvent
from hub.errors import InvalidTransition
from hub.extensions import db
from hub.permissions import Action

SLUG_SUFFIX = "-correction"


def pending_for(doc: Document) -> Document | None:
    """The correction waiting for ``doc``, if any (there is at most one)."""
    return db.session.scalar(select(Document).where(Document.revision_of_id == doc.id))


def _slug_for(doc: Document) -> str:
    base = f"{doc.slug[: 120 - len(SLUG_SUFFIX) - 4]}{SLUG_SUFFIX}"
    slug, n = base, 1
    while db.session.scalar(select(Document.id).where(Document.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _copy_content(source: Document, target: Document) -> None:
    """What a reader sees of a brief, from ``source`` onto ``target`` (attachments apart)."""
    target.title, target.summary, target.body = source.title, source.summary, source.body
    target.body_text, target.body_text_key = source.body_text, source.body_text_key
    target.language, target.visibility = source.language, source.visibility
    service.set_goals_and_targets(
        target, [g.number for g in source.goals], [t.code for t in source.targets]
    )
    service.set_areas(target, source.areas)
    service.set_tags(target, [t.name for t in source.tags])
    target.topics = list(source.topics)


def start(doc: Document, *, by: User) -> Document:
    """Open the correction of a published brief or experience; a second call returns the one
    already open, so two people of a country never work on two competing corrections.

    Only the country's own focal points may (Action.DOCUMENT_CORRECT); the Secretariat edits
    published documents directly.
    """
    existing = pending_for(doc)
    permissions.require(by, Action.DOCUMENT_CORRECT, doc)
    if existing is not None:
        return existing
    correction = Document(
        kind=doc.kind,
        slug=_slug_for(doc),
        status=Status.DRAFT,
        author_id=by.id,
        country=doc.country,
        revision_of=doc,
        is_example=doc.is_example,
    )
    db.session.add(correction)
    with db.session.no_autoflush:
        _copy_content(doc, correction)
        published = doc.revisions[-1].number if doc.revisions else 0
        revisions.record(correction, by=by, note=f"correction of published revision {published}")
    try:
        db.session.commit()
    except IntegrityError:
        # Someone of the same country opened one a moment ago: work on theirs.
        db.session.rollback()
        existing = pending_for(doc)
        if existing is None:
            raise
        return existing
    audit.log("document_correction_start", "success", user=by, obj=correction)
    return correction


def publish(correction: Document, event: WorkflowEvent, *, by: User) -> Document:
    """Give the published original the content of ``correction``, record a revision, and remove
    the working copy; its review steps move to the original's history. The caller has checked
    the permission and the step, and commits (the index change-log row is written by the session
    hook in the same transaction)."""
    original = correction.revision_of
    if original is None or original.status is not Status.PUBLISHED:
        raise InvalidTransition(
            _("The published document was archived: publish it again before this correction.")
        )
    with db.session.no_autoflush:
        _copy_content(correction, original)
        _move_attachments(correction, original)
        for step in [*correction.events, event]:
            step.document = original
        revisions.record(original, by=by, note="published a correction")
    db.session.delete(correction)
    return original


def _move_attachments(correction: Document, original: Document) -> None:
    """PDFs uploaded to the correction join the original; one with the same file name as a
    published PDF replaces it (the stored file stays, as old revisions name it)."""
    for attachment in list(correction.attachments):
        for old in [a for a in original.attachments if a.filename == attachment.filename]:
            original.attachments.remove(old)
        attachment.document = original
    for position, attachment in enumerate(original.attachments):
        attachment.position = position
