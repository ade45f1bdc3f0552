"""What a logged-in person sees in their workspace: their country's or all unpublished work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub import permissions
from hub.accounts.models import User
from hub.documents import revisions
from hub.documents import service as documents_service
from hub.documents.diff import Comparison, compare
from hub.documents.models import Document, Status
from hub.extensions import db
from hub.guidebook import topics
from hub.sdg.models import SdgGoal


def own_documents(user: User) -> list[Document]:
    """Focal points: every document of their country. Staff: everything not yet published
    (the rule is hub.permissions.workspace_documents)."""
    stmt = (
        select(Document)
        .where(permissions.workspace_documents(user))
        .options(selectinload(Document.events), selectinload(Document.country))
    )
    return list(db.session.scalars(stmt.order_by(Document.updated_at.desc())))


def review_queue() -> list[Document]:
    """Submissions waiting for the Secretariat, oldest first; a correction of a published
    document is one of them (``revision_of`` says which)."""
    stmt = (
        select(Document)
        .where(Document.status == Status.SUBMITTED)
        .options(selectinload(Document.country), selectinload(Document.revision_of))
        .order_by(Document.updated_at)
    )
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class ChangeRequest:
    """The latest request for changes, as the author sees it at the top of the page."""

    comment: str
    by: str
    at: datetime


def latest_change_request(doc: Document) -> ChangeRequest | None:
    """While a document waits for its author's changes: what the reviewer asked, who and when."""
    if doc.status is not Status.CHANGES_REQUESTED:
        return None
    event = next((e for e in reversed(doc.events) if e.to_status is Status.CHANGES_REQUESTED), None)
    if event is None:
        return None
    actor = db.session.get(User, event.actor_id) if event.actor_id else None
    return ChangeRequest(event.comment, actor.name if actor else "", event.created_at)


def correction_changes(correction: Document) -> Comparison:
    """How a correction differs from the published document, in what a reader will see: its
    own workflow status and address are the correction's bookkeeping, so they are left out."""
    original = correction.revision_of
    if original is None:
        return Comparison()
    published = revisions.snapshot(original)
    proposed = {**revisions.snapshot(correction), "status": published["status"]}
    proposed["slug"] = published["slug"]
    return compare(published, proposed)


def goals() -> list[SdgGoal]:
    return list(db.session.scalars(select(SdgGoal).order_by(SdgGoal.number)))


def topic_tree(viewer: User) -> list[Document]:
    """The guidebook sections ``viewer`` may tag a document to, in the guidebook's reading
    order (each with ``depth``), so the editor lists them as the guidebook does."""
    offered = {s.id for s in topics.choosable_sections(viewer)}
    return [s for s in documents_service.guidebook_tree(viewer=viewer) if s.id in offered]
