"""What the loader last loaded into each document, and whether the Hub changed it since.

``make run`` loads content/ every time, so a load must never undo work people did in the Hub (an
edit, a section moved in the guidebook, a published correction, an archive). Each document
remembers the fingerprint of the file it was last loaded from and the revision that load produced
(``Document.loaded_sha256`` and ``loaded_revision``):

- a file whose fingerprint did not change is left alone, whatever happened in the Hub since;
- a changed file is applied only when the document still reads as that revision left it; if the
  Hub changed it, the file is a conflict and people decide (``--force`` lets the file win, and the
  Hub's version stays in the history).

Documents loaded before the fingerprint existed have neither value. Their latest revision tells
whether the Hub touched them after the last load (the loader's note is "loaded from ..."); if it
did, the file is still the one last loaded when it reads as the loader's latest revision, and is
then left alone like any unchanged file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update

from hub.documents import files, revisions
from hub.documents.models import Document, Revision
from hub.extensions import db

LOADER_NOTE = re.compile(r"^loaded from .+$")


def fingerprint(path: Path, attachments: list[Path]) -> str:
    """SHA-256 of the file's bytes and of each attachment's name and content, in order: any
    change a load could bring changes it."""
    digest = hashlib.sha256(path.read_bytes())
    for attachment in attachments:
        digest.update(b"\0" + attachment.name.encode() + b"\0")
        digest.update(files.sha256_of(attachment).encode())
    return digest.hexdigest()


@dataclass
class HubChange:
    """Why a document counts as changed in the Hub since its last load, for the report."""

    reason: str
    latest: int | None  # the revision that holds the Hub's version


def _latest(doc: Document) -> Revision | None:
    return doc.revisions[-1] if doc.revisions else None


def hub_change(doc: Document) -> HubChange | None:
    """How the Hub changed ``doc`` since the loader last wrote it, or None if it did not.

    Compared on what a reader sees (the revision snapshot, status included), so a change that
    was undone, or a revision that changed nothing, is no conflict; a correction being prepared
    is one, since publishing it would replace whatever the file brings."""
    from hub.documents import corrections

    latest = _latest(doc)
    number = latest.number if latest else None
    correction = corrections.pending_for(doc)
    if correction is not None:
        return HubChange(
            f"a correction of it is being prepared in the Hub ({correction.slug!r})", number
        )
    if doc.loaded_revision is None:
        if latest is None:
            return HubChange("it has no history to show it came from a file", None)
        if LOADER_NOTE.match(latest.note or ""):
            return None
        if last_load(doc) is None:
            return HubChange(
                f"it was made in the Hub, not loaded from a file (now revision {number}, "
                f"{_describe(latest)})",
                number,
            )
        return HubChange(
            f"it was changed in the Hub after it was last loaded (revision {number}, "
            f"{_describe(latest)})",
            number,
        )
    loaded = next((r for r in doc.revisions if r.number == doc.loaded_revision), None)
    if loaded is not None and reads_as(revisions.snapshot(doc), loaded):
        return None
    return HubChange(
        f"it was changed in the Hub since it was last loaded as revision "
        f"{doc.loaded_revision} (now revision {number}, {_describe(latest)})",
        number,
    )


def reads_as(snapshot: dict, revision: Revision) -> bool:
    """Whether a document's snapshot reads as ``revision`` did. Keys a later version of the
    snapshot adds are not in older revisions, so only the revision's own keys count."""
    return all(snapshot.get(key) == value for key, value in revision.snapshot.items())


def last_load(doc: Document) -> Revision | None:
    """The newest revision the loader made, for documents loaded before it kept track."""
    return next((r for r in reversed(doc.revisions) if LOADER_NOTE.match(r.note or "")), None)


def _describe(revision: Revision | None) -> str:
    if revision is None:
        return "no history"
    note = (revision.note or "").strip() or "no note"
    return f"latest: {note[:80]}"


def remember(doc: Document, sha256: str, revision: int | None) -> None:
    """Record the load on the document in the same transaction as its change."""
    doc.loaded_sha256, doc.loaded_revision = sha256, revision


def remember_only(slug: str, sha256: str, revision: int | None = None) -> None:
    """Record that the file was read and matches ``revision`` (default: the latest one), without
    a new version (an editor's open form stays valid) or a new ``updated_at``: nothing a reader
    sees changed. The caller commits."""
    table = Document.__table__
    number = revision
    if number is None:
        number = (
            select(Revision.number)
            .where(Revision.document_id == table.c.id)
            .order_by(Revision.number.desc())
            .limit(1)
            .scalar_subquery()
        )
    db.session.execute(
        update(table)
        .where(table.c.slug == slug)
        .values(loaded_sha256=sha256, loaded_revision=number, updated_at=table.c.updated_at)
    )
