"""Arranging the guidebook: the whole tree for the Secretariat, and moving sections in it.

Every move is checked (only curators; never a section under itself), renumbers the siblings it
touches 1, 2, 3... in their new order, records a revision of each section whose place changed
(the search index follows through the change-log hook, as for every document change) and is refused
when the tree changed since the curator's page was drawn, so a stale form never silently undoes
someone else's arrangement.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from hub import audit, permissions
from hub.accounts.models import User
from hub.documents import revisions
from hub.documents.models import Document, Kind, Revision
from hub.errors import Conflict, Invalid, NotFound
from hub.extensions import db
from hub.permissions import Action


@dataclass
class TreeRow:
    """A section as the curator's tree shows it."""

    doc: Document
    depth: int
    revision: int | None = None
    changed_at: datetime | None = None
    changed_by: str | None = None
    is_first: bool = False
    is_last: bool = False
    # Sections it may be put under: all but itself and its descendants.
    move_targets: list[Document] = field(default_factory=list)


def _all_sections() -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.kind == Kind.GUIDEBOOK_SECTION)))


def _children(sections: list[Document]) -> dict[int | None, list[Document]]:
    ids = {s.id for s in sections}
    children: dict[int | None, list[Document]] = {}
    for s in sections:
        children.setdefault(s.parent_id if s.parent_id in ids else None, []).append(s)
    for siblings in children.values():
        siblings.sort(key=lambda d: (d.position, d.title, d.id))
    return children


def _walk(children: dict[int | None, list[Document]]) -> list[tuple[Document, int]]:
    ordered: list[tuple[Document, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for s in children.get(parent, []):
            ordered.append((s, depth))
            walk(s.id, depth + 1)

    walk(None, 0)
    return ordered


def tree_version(sections: list[Document] | None = None) -> str:
    """A fingerprint of the tree's shape (which sections, under which parent, at which place);
    forms carry it back so a move based on an older shape is refused."""
    rows = sorted((s.id, s.parent_id or 0, s.position) for s in (sections or _all_sections()))
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def _latest_revisions() -> dict[int, tuple[int, datetime, str | None]]:
    latest = (
        select(Revision.document_id, func.max(Revision.number).label("number"))
        .group_by(Revision.document_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Revision.document_id, Revision.number, Revision.created_at, User.name)
        .join(
            latest,
            (latest.c.document_id == Revision.document_id) & (latest.c.number == Revision.number),
        )  # fmt: skip
        .outerjoin(User, User.id == Revision.author_id)
    )
    return {doc_id: (number, at, name) for doc_id, number, at, name in rows}


def curation_tree(*, by: User) -> tuple[list[TreeRow], str]:
    """Every section, drafts and archived ones included, in reading order, and the tree's
    version for the forms."""
    permissions.require(by, Action.GUIDEBOOK_CURATE)
    sections = _all_sections()
    children = _children(sections)
    ordered = _walk(children)
    latest = _latest_revisions()
    ids = {s.id for s in sections}
    rows = []
    for doc, depth in ordered:
        siblings = children[doc.parent_id if doc.parent_id in ids else None]
        subtree = {d.id for d in _subtree(doc, children)}
        number, at, name = latest.get(doc.id, (None, None, None))
        rows.append(
            TreeRow(
                doc=doc, depth=depth, revision=number, changed_at=at, changed_by=name,
                is_first=siblings[0] is doc, is_last=siblings[-1] is doc,
                move_targets=[d for d, _depth in ordered if d.id not in subtree],
            )
        )  # fmt: skip
    return rows, tree_version(sections)


def _subtree(doc: Document, children: dict[int | None, list[Document]]) -> list[Document]:
    found = [doc]
    for child in children.get(doc.id, []):
        found.extend(_subtree(child, children))
    return found


def _check(doc: Document, expected_tree: str, by: User) -> list[Document]:
    permissions.require(by, Action.GUIDEBOOK_CURATE, doc)
    if doc.kind is not Kind.GUIDEBOOK_SECTION:
        raise NotFound()
    sections = _all_sections()
    if tree_version(sections) != expected_tree:
        raise Conflict(_stale_message())
    return sections


def _stale_message() -> str:
    return _(
        "Someone else rearranged the guidebook since you opened this page. Nothing was moved: "
        "check the order below and try again."
    )


def _renumber(siblings: list[Document], moved: Document, note: str, by: User) -> None:
    """Positions 1, 2, 3... in the given order; a revision for each section whose place changed
    (the moved one says how, the others that their place changed)."""
    for n, s in enumerate(siblings, start=1):
        if s.position != n:
            s.position = n
            if s is not moved:
                revisions.record(s, by=by, note="reordered")
    revisions.record(moved, by=by, note=note)


def _commit(doc: Document, by: User, how: str) -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_stale_message()) from None
    audit.log("guidebook_move", "success", user=by, obj=doc, how=how)


def move(doc: Document, offset: int, *, expected_tree: str, by: User) -> None:
    """Move a section one place up (-1) or down (+1) among its siblings."""
    sections = _check(doc, expected_tree, by)
    siblings = _children(sections)[doc.parent_id]
    at = siblings.index(doc)
    to = at + offset
    if offset not in (-1, 1) or not 0 <= to < len(siblings):
        raise Invalid(
            _("“%(title)s” is already first among its siblings.", title=doc.title)
            if offset < 0
            else _("“%(title)s” is already last among its siblings.", title=doc.title)
        )
    siblings[at], siblings[to] = siblings[to], siblings[at]
    with db.session.no_autoflush:
        _renumber(siblings, doc, "moved up" if offset < 0 else "moved down", by)
    _commit(doc, by, "up" if offset < 0 else "down")


def move_under(doc: Document, parent_slug: str | None, *, expected_tree: str, by: User) -> None:
    """Put a section last under another section, or last at the top level (no slug). A section
    cannot go under itself or one of its own descendants: that would cut it off the tree."""
    sections = _check(doc, expected_tree, by)
    by_slug = {s.slug: s for s in sections}
    parent = None
    if parent_slug:
        parent = by_slug.get(parent_slug)
        if parent is None:
            raise Invalid(_("The section to move it under does not exist."))
        ancestor: Document | None = parent
        while ancestor is not None:
            if ancestor is doc:
                raise Invalid(
                    _(
                        "“%(title)s” cannot go under “%(parent)s”: that section is inside it.",
                        title=doc.title,
                        parent=parent.title,
                    )
                    if parent is not doc
                    else _("A section cannot sit inside itself.")
                )
            ancestor = ancestor.parent
    if parent is doc.parent:
        raise Invalid(_("“%(title)s” is already there.", title=doc.title))
    children = _children(sections)
    old_siblings = [s for s in children.get(doc.parent_id, []) if s is not doc]
    new_siblings = [*children.get(parent.id if parent else None, []), doc]
    with db.session.no_autoflush:
        doc.parent = parent
        for n, s in enumerate(old_siblings, start=1):
            if s.position != n:
                s.position = n
                revisions.record(s, by=by, note="reordered")
        note = f"moved under {parent.slug}" if parent else "moved to the top level"
        _renumber(new_siblings, doc, note, by)
    _commit(doc, by, "under")
