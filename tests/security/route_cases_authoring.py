"""Requests for the correction route of the route matrix (route_policy.d/authoring.yml)."""

from __future__ import annotations

from sqlalchemy import select

from hub.documents.models import Document
from hub.extensions import db
from tests.security.route_matrix import Call, World, case, new_doc


def _correct(spec: str):
    def build(w: World, actor: str) -> Call:
        doc = new_doc(spec)  # a document of its own: a correction opened by one call is not reused
        return Call(
            f"/workspace/documents/{doc.id}/correction",
            effect=lambda: (
                db.session.scalar(select(Document.id).where(Document.revision_of_id == doc.id))
                is not None
            ),
        )

    return build


case("workspace.correct", "POST", "published GHA brief")(_correct("gha_published"))
case("workspace.correct", "POST", "GHA draft")(_correct("gha_draft"))
