"""What changed between a country's policy brief and its previous one.

Successive briefs are a country's successive reports, so readers compare each with the one
before. The "previous brief" is the newest published brief of the same country, in the same
language, dated before this one (same date: added earlier) that the viewer may read, so the
comparison never shows text of a brief the viewer could not open itself, and never sets an
English brief against a French note on another subject.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select

from hub import permissions
from hub.documents.diff import FIELDS, Comparison, compare
from hub.documents.models import Document, Kind, Status
from hub.extensions import db
from hub.permissions import Action


def previous_brief(doc: Document, viewer: Any) -> Document | None:
    """The brief ``doc`` is compared with, or None. Same country and same language only: a
    translation or a note in another language is not the previous report."""
    if doc.kind is not Kind.POLICY_BRIEF or doc.country_id is None:
        return None
    stmt = select(Document).where(
        Document.kind == Kind.POLICY_BRIEF,
        Document.status == Status.PUBLISHED,
        Document.country_id == doc.country_id,
        Document.language == doc.language,
        Document.id != doc.id,
    )
    if doc.published_on is not None:
        stmt = stmt.where(
            or_(
                Document.published_on < doc.published_on,
                and_(Document.published_on == doc.published_on, Document.id < doc.id),
            )
        )
    stmt = stmt.order_by(Document.published_on.desc(), Document.id.desc())
    for candidate in db.session.scalars(stmt):
        if permissions.can(viewer, Action.DOCUMENT_READ, candidate):
            return candidate
    return None


def _text(doc: Document) -> dict[str, str]:
    return {name: getattr(doc, name) or "" for name in FIELDS}


def changes_since_previous(doc: Document, viewer: Any) -> tuple[Document | None, Comparison]:
    """The previous brief and the differences of title, summary and text (unchanged fields are
    left out; two briefs' SDGs or tags are not "changes"); no previous brief gives
    (None, an empty Comparison)."""
    permissions.require(viewer, Action.DOCUMENT_READ, doc)
    previous = previous_brief(doc, viewer)
    if previous is None:
        return None, Comparison()
    return previous, compare(_text(previous), _text(doc), with_metadata=False)
