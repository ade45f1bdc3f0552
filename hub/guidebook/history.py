"""Which revisions of a section readers may see, and the difference between two of them."""

from __future__ import annotations

from typing import Any

from hub import permissions
from hub.documents.diff import Row, compare
from hub.documents.models import Document, Revision
from hub.errors import Invalid, NotFound
from hub.permissions import Action


def visible_revisions(doc: Document, viewer: Any) -> list[Revision]:
    """Staff see every revision; readers see those made while the section was published, so no
    draft wording leaks through the history."""
    if permissions.can(viewer, Action.REVISION_RESTORE, doc):
        return list(doc.revisions)
    return [r for r in doc.revisions if r.snapshot.get("status") == "published"]


def revision_diff(
    doc: Document, old_number: int, new_number: int, viewer: Any
) -> tuple[Revision, Revision, dict[str, list[Row]]]:
    if old_number == new_number:
        raise Invalid("Choose two different revisions.")
    by_number = {r.number: r for r in visible_revisions(doc, viewer)}
    if old_number not in by_number or new_number not in by_number:
        raise NotFound()
    old, new = sorted((by_number[old_number], by_number[new_number]), key=lambda r: r.number)
    return old, new, compare(old.snapshot, new.snapshot)
