"""Revisions: a full snapshot of a document after every change, with who and when, and how
a history of them reads to a person (who may see what, and what each change was)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hub.documents.models import Document, Revision
from hub.extensions import db


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


# --- reading the history ---

# The workflow records each step as a revision named by the step (hub/documents/workflow.py).
STEP_NOTES = {
    "submit": "submitted",
    "request_changes": "changes_requested",
    "publish": "published",
    "archive": "archived",
}
# What a change touched; the status and its date are the workflow's, not the author's text.
TEXT_KEYS = ("title", "summary", "body")
STATUS_KEYS = ("status", "published_on")
# What restoring a revision brings back (hub/documents/editing.py restore()).
CONTENT_KEYS = (*TEXT_KEYS, "language", "country", "goals", "targets", "areas", "tags",
                "visibility", "parent", "position", "topics")  # fmt: skip
_LOADER_NOTE = re.compile(r"^loaded from (?P<source>.+)$")
_RESTORED_NOTE = re.compile(r"^restored revision (?P<n>\d+)$")
_ATTACHED_NOTE = re.compile(r"^attached (?P<name>.+)$")
_MOVED_UNDER_NOTE = re.compile(r"^moved under (?P<slug>.+)$")
SYSTEM_NOTES = {
    "created": _l("Created"),
    "edited": _l("Edited"),
    "moved up": _l("Moved up in the guidebook"),
    "moved down": _l("Moved down in the guidebook"),
    "moved to the top level": _l("Moved to the top level of the guidebook"),
    "reordered": _l("Place in the guidebook changed"),
}


def change_kind(before: dict | None, after: dict) -> str:
    """What a revision changed compared with the one before: "created", "text", "metadata",
    "status" (only the workflow status) or "none"."""
    if before is None:
        return "created"
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    if changed & set(TEXT_KEYS):
        return "text"
    if changed - set(STATUS_KEYS):
        return "metadata"
    return "status" if changed else "none"


def same_content(a: dict, b: dict) -> bool:
    """Whether two snapshots would read the same after a restore (status aside)."""
    return all(a.get(k) == b.get(k) for k in CONTENT_KEYS)


def note_for(note: str, *, is_staff: bool) -> str:
    """The note a person sees. Notes the Hub writes itself become sentences in the reader's
    language; the content loader's note names a file in the repository, which means nothing to a
    reader, so readers see "Updated" and staff see the file. Notes people typed are shown as
    typed."""
    note = (note or "").strip()
    if not note:
        return ""
    if note in STEP_NOTES:
        return ""  # the step is shown as the change itself
    if note in SYSTEM_NOTES:
        return str(SYSTEM_NOTES[note])
    if m := _LOADER_NOTE.match(note):
        if is_staff:
            return _("Loaded from %(source)s", source=m["source"])
        return _("Updated")
    if m := _RESTORED_NOTE.match(note):
        return _("Restored revision %(n)s", n=m["n"])
    if m := _ATTACHED_NOTE.match(note):
        return _("Attached %(name)s", name=m["name"])
    if m := _MOVED_UNDER_NOTE.match(note):
        return _("Moved in the guidebook under “%(slug)s”", slug=m["slug"])
    return note


@dataclass
class HistoryEntry:
    """One line of a document's history: a revision, with the workflow step it was, if any."""

    number: int
    created_at: datetime
    note: str
    kind: str  # "created", "text", "metadata", "status" or "none"
    status: str  # the status after this revision (a key of templating.STATUS_NAMES)
    step: str | None = None  # a key of templating.STEP_LABELS when a workflow step made it
    author: str | None = None  # staff and the country's people only
    comment: str = ""  # the reviewer's comment on a step (same audience as ``author``)
    is_current: bool = False
    can_restore: bool = False


def _names(ids: set[int]) -> dict[int, str]:
    from hub.accounts.models import User

    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {i: name for i, name in rows}


def _comments(doc: Document, revisions_: list[Revision]) -> dict[int, str]:
    """Pair each step revision with its workflow event (made in the same transaction, in the
    same order) to show the reviewer's comment next to it."""
    events = list(doc.events)
    found: dict[int, str] = {}
    for r in revisions_:
        if r.note not in STEP_NOTES:
            continue
        for k, e in enumerate(events):
            if e.to_status.value == r.snapshot.get("status"):
                found[r.number] = e.comment
                del events[k]
                break
    return found


def history(doc: Document, revisions_: list[Revision], *, is_staff: bool) -> list[HistoryEntry]:
    """The revisions given (those the viewer may see, oldest first) as entries, newest first.

    ``is_staff`` means the viewer may read the working history (DOCUMENT_HISTORY): names,
    review comments and the loader's notes. Restore is offered on a revision that changed the
    content and whose content differs from the current one: restoring a status step or the
    current state would only repeat a revision."""
    everything = list(doc.revisions)
    before = {r.number: (everything[i - 1].snapshot if i else None)
              for i, r in enumerate(everything)}  # fmt: skip
    current = snapshot(doc)
    latest = everything[-1].number if everything else None
    names = _names({r.author_id for r in revisions_ if r.author_id}) if is_staff else {}
    comments = _comments(doc, everything) if is_staff else {}
    entries = []
    for r in revisions_:
        kind = change_kind(before.get(r.number), r.snapshot)
        entries.append(
            HistoryEntry(
                number=r.number,
                created_at=r.created_at,
                note=note_for(r.note, is_staff=is_staff),
                kind=kind,
                status=str(r.snapshot.get("status", "")),
                step=r.note if r.note in STEP_NOTES else None,
                author=names.get(r.author_id) if r.author_id else None,
                comment=comments.get(r.number, ""),
                is_current=r.number == latest,
                can_restore=kind in ("created", "text", "metadata")
                and r.number != latest
                and not same_content(r.snapshot, current),
            )
        )
    return list(reversed(entries))
