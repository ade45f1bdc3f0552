"""Workspace pages over the guidebook and over any document's history: the curator's tree with
its moves, and the difference between two revisions of a document for those who work on it."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.documents.service import get_by_id_for
from hub.guidebook import curation
from hub.guidebook import history as history_rules
from hub.guidebook.views import diff_page
from hub.outcomes import run_and_flash
from hub.permissions import Action

bp = Blueprint("workspace_guidebook", __name__, url_prefix="/workspace")


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
    doc = get_by_id_for(doc_id, Action.GUIDEBOOK_CURATE, user=current_user)
    run_and_flash(
        lambda: call(doc, expected_tree=request.form.get("tree_version", "")),
        _("Moved “%(title)s”.", title=doc.title),
    )
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
    doc = get_by_id_for(doc_id, Action.DOCUMENT_HISTORY, user=current_user)
    return diff_page(doc, url_for("workspace.document", doc_id=doc.id, _anchor="history"))
