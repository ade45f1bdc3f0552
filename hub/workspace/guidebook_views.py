"""Workspace pages over the guidebook and over any document's history: the curator's tree with
its moves, and the difference between two revisions of a document for those who work on it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub import permissions
from hub.documents.models import Document
from hub.errors import HubError, NotAllowed, NotFound
from hub.extensions import db
from hub.guidebook import curation
from hub.guidebook import history as history_rules
from hub.http import int_arg
from hub.permissions import Action

bp = Blueprint("workspace_guidebook", __name__, url_prefix="/workspace")


def _document(doc_id: int, action: Action = Action.DOCUMENT_READ) -> Document:
    doc = db.session.get(Document, doc_id)
    if doc is None:
        raise NotFound()
    permissions.require(current_user, action, doc)
    return doc


@bp.app_context_processor
def _history_helpers() -> dict:
    """The workspace document page shows the same history as the public pages; its view is
    another module's, so the page asks for the entries by document."""
    return {"document_history": lambda doc: history_rules.entries(doc, current_user)}


@bp.get("/guidebook")
@login_required
def tree():  # noqa: ANN201
    rows, version = curation.curation_tree(by=current_user)
    return render_template("workspace/guidebook.html", rows=rows, tree_version=version)


def _moved(doc_id: int, call) -> object:  # noqa: ANN001
    """Run one move; a refusal is flashed (nothing was changed) and the tree shown again."""
    doc = _document(doc_id, Action.GUIDEBOOK_CURATE)
    try:
        call(doc, expected_tree=request.form.get("tree_version", ""))
    except NotAllowed:
        db.session.rollback()
        raise
    except HubError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(_("Moved “%(title)s”.", title=doc.title))
    return redirect(url_for("workspace_guidebook.tree", _anchor=f"section-{doc_id}"), 303)


@bp.post("/guidebook/<int:doc_id>/up")
@login_required
def move_up(doc_id: int):  # noqa: ANN201
    return _moved(doc_id, lambda doc, **kw: curation.move(doc, -1, by=current_user, **kw))


@bp.post("/guidebook/<int:doc_id>/down")
@login_required
def move_down(doc_id: int):  # noqa: ANN201
    return _moved(doc_id, lambda doc, **kw: curation.move(doc, 1, by=current_user, **kw))


@bp.post("/guidebook/<int:doc_id>/move")
@login_required
def move(doc_id: int):  # noqa: ANN201
    parent = request.form.get("parent") or None
    return _moved(doc_id, lambda doc, **kw: curation.move_under(doc, parent, by=current_user, **kw))


@bp.get("/documents/<int:doc_id>/diff")
@login_required
def document_diff(doc_id: int):  # noqa: ANN201
    doc = _document(doc_id, Action.DOCUMENT_HISTORY)
    result = history_rules.revision_diff(
        doc, int_arg("from", 0, low=0) or None, int_arg("to", 0, low=0) or None, current_user
    )
    return render_template(
        "guidebook/diff.html",
        doc=doc,
        result=result,
        entries=history_rules.entries(doc, current_user),
        history_url=url_for("workspace.document", doc_id=doc.id, _anchor="history"),
    )
