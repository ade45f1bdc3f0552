"""Requests for the guidebook curation routes and the workspace's revision comparison in the
route matrix (policy in route_policy.d/guidebook.yml)."""

from __future__ import annotations

from hub.documents.models import Document
from hub.extensions import db
from hub.guidebook import curation
from tests.security.route_matrix import (
    Call,
    World,
    case,
    current,
    new_document,
)

SECTIONS = {"published section": "guide_published", "draft section": "guide_draft"}


def _tree_version() -> dict:
    db.session.expire_all()
    return {"tree_version": curation.tree_version()}


def _pair(spec: str) -> tuple[int, int]:
    """A published section first, then one of ``spec`` after it, alone under a new section."""
    parent = new_document("guide_published", commit=False)
    first = new_document("guide_published", position=1, parent=parent, commit=False)
    second = new_document(spec, position=2, parent=parent)
    return first.id, second.id


def _position(doc_id: int) -> int:
    return current(Document, doc_id).position


def _up(spec: str):
    def build(w: World, actor: str) -> Call:
        first, second = _pair(spec)
        return Call(
            f"/workspace/guidebook/{second}/up",
            _tree_version,
            effect=lambda: _position(second) < _position(first),
        )

    return build


def _down(spec: str):
    def build(w: World, actor: str) -> Call:
        first, second = _pair(spec)
        db.session.get(Document, first).position, db.session.get(Document, second).position = 2, 1
        db.session.commit()
        return Call(
            f"/workspace/guidebook/{second}/down",
            _tree_version,
            effect=lambda: _position(second) > _position(first),
        )

    return build


def _move(spec: str):
    def build(w: World, actor: str) -> Call:
        first, second = _pair(spec)
        slug = current(Document, first).slug  # under its older sibling
        return Call(
            f"/workspace/guidebook/{second}/move",
            lambda: {**_tree_version(), "parent": slug},
            effect=lambda: current(Document, second).parent_id == first,
        )

    return build


case("workspace_guidebook.tree", "GET")(lambda w, actor: Call("/workspace/guidebook"))
for _name, _spec in SECTIONS.items():
    case("workspace_guidebook.move_up", "POST", _name)(_up(_spec))
    case("workspace_guidebook.move_down", "POST", _name)(_down(_spec))
    case("workspace_guidebook.move", "POST", _name)(_move(_spec))
    case("workspace_guidebook.document_diff", "GET", _name)(
        lambda w, actor, spec=_spec: Call(f"/workspace/documents/{w.docs[spec].id}/diff")
    )


# GET builders must not write (T-13): the world's GHA draft has one revision, so this shows it.
case("workspace_guidebook.document_diff", "GET", "GHA draft")(
    lambda w, actor: Call(f"/workspace/documents/{w.docs['gha_draft'].id}/diff")
)
