"""Revisions: a full snapshot of a document after every change, with who and when."""

from __future__ import annotations

from typing import Any

from hub.documents.models import Document, Revision


def snapshot(doc: Document) -> dict[str, Any]:
    """Everything a reader sees of a document, as plain JSON, so two states can be compared."""
    return {
        "kind": doc.kind.value,
        "slug": doc.slug,
        "title": doc.title,
        "summary": doc.summary,
        "body": doc.body,
        "language": doc.language,
        "country": doc.country.iso3 if doc.country else None,
        "goals": [g.number for g in doc.goals],
        "targets": [t.code for t in doc.targets],
        "areas": [a.value for a in doc.areas],
        "tags": [t.name for t in doc.tags],
        "published_on": doc.published_on.isoformat() if doc.published_on else None,
        "status": doc.status.value,
        "visibility": doc.visibility.value,
        "parent": doc.parent.slug if doc.parent else None,
        "topics": sorted(t.slug for t in doc.topics),
        "position": doc.position,
        "is_example": doc.is_example,
        "attachments": [
            {"filename": a.filename, "sha256": a.sha256, "size": a.size} for a in doc.attachments
        ],
    }


def record(doc: Document, *, by: Any = None, note: str = "") -> Revision:
    """Append a revision with the document's current state."""
    number = (doc.revisions[-1].number + 1) if doc.revisions else 1
    revision = Revision(
        number=number,
        snapshot=snapshot(doc),
        note=note[:500],
        author_id=getattr(by, "id", None),
    )
    doc.revisions.append(revision)
    return revision
