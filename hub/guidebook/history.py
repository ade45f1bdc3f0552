"""Which revisions of a document a viewer may see, how its history reads, and the difference
between two revisions. Used by the public guidebook history and by the workspace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub import permissions
from hub.documents import revisions
from hub.documents.diff import Comparison, compare
from hub.documents.models import Document, Revision
from hub.errors import NotFound
from hub.permissions import Action


def may_see_working_history(doc: Document, viewer: Any) -> bool:
    """Names, review comments, drafts and the loader's notes are for the people who work on the
    document (the Secretariat, and a country's focal points for its own documents)."""
    return permissions.can(viewer, Action.DOCUMENT_HISTORY, doc)


def visible_revisions(doc: Document, viewer: Any) -> list[Revision]:
    """Those who work on the document see every revision; readers see those made while it was
    published, so no draft wording leaks through the history."""
    if may_see_working_history(doc, viewer):
        return list(doc.revisions)
    return [r for r in doc.revisions if r.snapshot.get("status") == "published"]


def entries(doc: Document, viewer: Any) -> list[revisions.HistoryEntry]:
    """The history the viewer may read, newest first; restore is offered only to those who may
    restore."""
    staff = may_see_working_history(doc, viewer)
    found = revisions.history(doc, visible_revisions(doc, viewer), is_staff=staff)
    if not permissions.can(viewer, Action.REVISION_RESTORE, doc):
        for entry in found:
            entry.can_restore = False
    return found


@dataclass
class RevisionDiff:
    """Two revisions and what changed between them; ``same`` when both are one revision."""

    old: Revision
    new: Revision
    changes: Comparison
    same: bool = False


def default_pair(visible: list[Revision]) -> tuple[int, int] | None:
    """The latest revision and the one before it: what "what changed last" means."""
    if not visible:
        return None
    if len(visible) == 1:
        return visible[0].number, visible[0].number
    return visible[-2].number, visible[-1].number


def revision_diff(
    doc: Document, old_number: int | None, new_number: int | None, viewer: Any
) -> RevisionDiff:
    """The older of the two revisions compared with the newer (by default the latest change).
    Asking for one revision twice is not an error: the page says so and shows the choice
    again. A revision the viewer may not see is not found."""
    visible = visible_revisions(doc, viewer)
    pair = default_pair(visible)
    if pair is None:
        raise NotFound()
    old_number = old_number or pair[0]
    new_number = new_number or pair[1]
    by_number = {r.number: r for r in visible}
    if old_number not in by_number or new_number not in by_number:
        raise NotFound()
    old, new = sorted((by_number[old_number], by_number[new_number]), key=lambda r: r.number)
    if old.number == new.number:
        return RevisionDiff(old, new, Comparison(), same=True)
    return RevisionDiff(old, new, compare(old.snapshot, new.snapshot))
