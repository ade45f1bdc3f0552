"""What a logged-in person sees in their workspace: their country's or all unpublished work."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.accounts.models import Role, User
from hub.documents.models import Document, Kind, Status
from hub.extensions import db


def own_documents(user: User) -> list[Document]:
    """Focal points: every document of their country. Staff: everything not yet published."""
    stmt = select(Document).options(selectinload(Document.events), selectinload(Document.country))
    if user.role is Role.FOCAL_POINT:
        stmt = stmt.where(
            Document.country_id == user.country_id, Document.kind != Kind.GUIDEBOOK_SECTION
        )
    else:
        stmt = stmt.where(Document.status != Status.PUBLISHED)
    return list(db.session.scalars(stmt.order_by(Document.updated_at.desc())))


def review_queue() -> list[Document]:
    stmt = (
        select(Document)
        .where(Document.status == Status.SUBMITTED)
        .options(selectinload(Document.country))
        .order_by(Document.updated_at)
    )
    return list(db.session.scalars(stmt))
