"""Guidebook topics: the briefs and experiences tagged to a section, and the sections a document is
tagged to, each limited to what the viewer may read.

A brief or experience names the sections it illustrates (``topics:`` in its content file,
docs/content-format.md). Tags are links between documents, so both directions go through the
same visibility rule as every listing (``permissions.listed_documents``): a draft section never
shows up as a topic on a public brief, and a members-only experience never appears on a section
page for the public.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from hub import permissions
from hub.documents.models import Document, Kind, document_topics
from hub.extensions import db
from hub.search.related import RelatedDocument, related_documents


@dataclass
class SectionReading:
    """What a section page shows below its text besides the guidebook navigation."""

    tagged: list[Document] = field(default_factory=list)
    related: list[RelatedDocument] = field(default_factory=list)


def _readable(viewer: Any) -> Select:
    return select(Document).where(permissions.listed_documents(viewer))


def tagged_to(section: Document, *, viewer: Any) -> list[Document]:
    """Published briefs and experiences tagged to ``section`` that ``viewer`` may read,
    newest first."""
    tagged_ids = select(document_topics.c.document_id).where(
        document_topics.c.section_id == section.id
    )
    stmt = (
        _readable(viewer)
        .where(Document.id.in_(tagged_ids), Document.kind != Kind.GUIDEBOOK_SECTION)
        .options(selectinload(Document.country))
        .order_by(Document.published_on.desc(), Document.title)
    )
    return list(db.session.scalars(stmt))


def sections_of(doc: Document, *, viewer: Any) -> list[Document]:
    """The guidebook sections ``doc`` is tagged to that ``viewer`` may read, by title."""
    section_ids = select(document_topics.c.section_id).where(
        document_topics.c.document_id == doc.id
    )
    stmt = (
        _readable(viewer)
        .where(Document.id.in_(section_ids), Document.kind == Kind.GUIDEBOOK_SECTION)
        .order_by(Document.title)
    )
    return list(db.session.scalars(stmt))


def choosable_sections(viewer: Any) -> list[Document]:
    """The sections ``viewer`` may tag a brief or experience to: those they may read."""
    stmt = _readable(viewer).where(Document.kind == Kind.GUIDEBOOK_SECTION)
    return list(db.session.scalars(stmt.order_by(Document.title)))


def section_reading(section: Document, *, viewer: Any, limit: int = 5) -> SectionReading:
    """The documents tagged to a section, then up to ``limit`` more like it from the search index
    (those already tagged are not repeated)."""
    tagged = tagged_to(section, viewer=viewer)
    shown = {d.slug for d in tagged}
    related = [
        r
        for r in related_documents(section, viewer, limit=limit + len(shown))
        if r.slug not in shown
    ]
    return SectionReading(tagged=tagged, related=related[:limit])
