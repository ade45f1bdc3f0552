"""The workspace: dashboard, editor with preview, uploads, workflow steps, revision restore."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, fresh_login_required, login_required
from sqlalchemy import select

from hub import audit, permissions
from hub.documents import corrections, editing, workflow
from hub.documents import service as documents_service
from hub.documents.files import is_pdf
from hub.documents.labels import STATUS_NAMES
from hub.documents.models import Document, Kind
from hub.documents.service import KIND_BY_PATH
from hub.errors import Conflict, Invalid
from hub.extensions import db
from hub.http import form_int
from hub.markup import render_markdown
from hub.outcomes import attempt, run_and_flash
from hub.permissions import Action
from hub.workspace import service
from hub.workspace.forms import (
    DocumentForm,
    TransitionForm,
    UploadForm,
    goal_choices,
    topic_groups,
)

bp = Blueprint("workspace", __name__, url_prefix="/workspace")
NEW_KINDS = {**KIND_BY_PATH, "guidebook": Kind.GUIDEBOOK_SECTION}


def _document(doc_id: int, action: Action = Action.DOCUMENT_READ) -> Document:
    return documents_service.get_by_id_for(doc_id, action, user=current_user)


def _sections() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Document.slug, Document.title)
        .where(Document.kind == Kind.GUIDEBOOK_SECTION)
        .order_by(Document.title)
    )
    return [("", "—")] + [(slug, title) for slug, title in rows]


def _prepare(form: DocumentForm, kind: Kind) -> list:
    """Fill the choices the editor offers: goals with their titles and, for a brief or an
    experience, the guidebook sections in reading order. Returns the topic groups to show."""
    form.goals.choices = goal_choices(service.goals(), str(get_locale() or "en"))
    if kind is Kind.GUIDEBOOK_SECTION:
        form.topics.choices = []  # a section is a topic itself
        return []
    tree = service.topic_tree(current_user)
    form.topics.choices = [(s.slug, s.title) for s in tree]
    return tree


def _editor(
    form: DocumentForm, kind: Kind, doc: Document | None, tree: list, **context: Any
) -> str:
    """The editor page; a preview is shown above the form, where the Preview button leads."""
    return render_template(
        "workspace/edit.html", form=form, kind=kind, doc=doc,
        topic_groups=topic_groups(form.topics, tree), **context,
    )  # fmt: skip


def _wants_preview(form: DocumentForm) -> bool:
    """Preview shows what was typed even when a field still needs fixing (its message is shown
    too); only a form that did not come from this site gets no preview."""
    if "preview" not in request.form:
        return False
    form.validate()
    return not form.csrf_token.errors


@bp.get("/")
@login_required
def dashboard():  # noqa: ANN201
    user = current_user._get_current_object()
    queue = service.review_queue() if permissions.can(user, Action.REVIEW_QUEUE_VIEW) else []
    return render_template(
        "workspace/dashboard.html", documents=service.own_documents(user), queue=queue
    )


@bp.route("/new/<any(briefs, experiences, guidebook):kind_path>", methods=["GET", "POST"])
@login_required
def new(kind_path: str):  # noqa: ANN201
    kind = NEW_KINDS[kind_path]
    permissions.require(current_user, Action.DOCUMENT_CREATE, kind)
    form = DocumentForm()
    form.parent.choices = _sections()
    if request.method == "GET" and kind is Kind.GUIDEBOOK_SECTION:
        # "Add a section under this one" from the guidebook view names the parent.
        wanted = request.args.get("parent", "")
        if wanted in {slug for slug, _title in form.parent.choices}:
            form.parent.data = wanted
    tree = _prepare(form, kind)
    preview = None
    status = 200
    if _wants_preview(form):
        preview = render_markdown(form.body.data or "")
    elif form.validate_on_submit():
        with attempt() as outcome:
            doc = editing.create(kind, form.to_input(), by=current_user)
        if outcome.ok:
            flash(_("Draft saved."))
            return redirect(url_for("workspace.document", doc_id=doc.id))
        status = outcome.status
    elif request.method == "POST":
        status = 400
    return _editor(form, kind, None, tree, preview=preview), status


@bp.route("/documents/<int:doc_id>/edit", methods=["GET", "POST"])
@login_required
def edit(doc_id: int):  # noqa: ANN201
    doc = _document(doc_id)
    if not permissions.can(current_user, Action.DOCUMENT_EDIT, doc) and permissions.can(
        current_user, Action.DOCUMENT_CORRECT, doc
    ):
        # A published brief is changed through a reviewed correction: say so, not a bare 403.
        audit.log("forbidden", "denied", user=current_user, obj=f"{request.method} {request.path}")
        pending = corrections.pending_for(doc)
        return render_template("workspace/published.html", doc=doc, pending=pending), 403
    permissions.require(current_user, Action.DOCUMENT_EDIT, doc)
    form = DocumentForm(obj=None if request.method == "POST" else _FormData(doc))
    form.parent.choices = [c for c in _sections() if c[0] != doc.slug]
    tree = _prepare(form, doc.kind)
    preview, status = None, 200
    if _wants_preview(form):
        preview = render_markdown(form.body.data or "")
    elif form.validate_on_submit():
        with attempt() as outcome:
            changed = editing.update(
                doc, form.to_input(), expected_version=form_int(form.version.data),
                by=current_user, note=form.note.data or "",
            )  # fmt: skip
        if isinstance(outcome.error, Conflict):
            current = db.session.get(Document, doc_id)
            return _editor(form, doc.kind, current, tree, preview=None, conflict=current), 409
        if outcome.ok:
            flash(_("Saved.") if changed else _("Nothing had changed."))
            return redirect(url_for("workspace.document", doc_id=doc.id))
        status = outcome.status
    elif request.method == "POST":
        status = 400
    return _editor(form, doc.kind, doc, tree, preview=preview), status


class _FormData:
    """Current values for the editor's first display."""

    def __init__(self, doc: Document):
        self.title, self.summary, self.body = doc.title, doc.summary, doc.body
        self.language = doc.language
        self.country = doc.country.iso3 if doc.country else ""
        self.goals = [str(g.number) for g in doc.goals]
        self.targets = ", ".join(t.code for t in doc.targets)
        self.areas = [a.value for a in doc.areas]
        self.tags = ", ".join(t.name for t in doc.tags)
        self.visibility = doc.visibility.value
        self.parent = doc.parent.slug if doc.parent else ""
        self.position = doc.position
        self.topics = [t.slug for t in doc.topics]
        self.note = ""
        self.version = str(doc.version)


def _step_order(transition: workflow.Transition) -> int:
    """Publish first: the main decision of a review, then the alternatives."""
    return STEP_ORDER.index(transition.name) if transition.name in STEP_ORDER else len(STEP_ORDER)


STEP_ORDER = ("publish", "submit", "request_changes", "archive")


def _document_page(  # noqa: ANN202
    doc: Document,
    form: TransitionForm | None = None,
    status: int = 200,
    *,
    failed: str = "",
    error: str = "",
):
    """The workspace page of one document: its review summary, next steps and history. A step
    refused for what was typed comes back here with its message and the comment kept."""
    return render_template(
        "workspace/document.html",
        failed_step=failed,
        step_error=error,
        doc=doc,
        transitions=sorted(workflow.available(doc, current_user), key=_step_order),
        transition_form=form or TransitionForm(),
        upload_form=UploadForm(),
        change_request=service.latest_change_request(doc),
        pending_correction=corrections.pending_for(doc),
        correction_changes=service.correction_changes(doc) if doc.is_correction else {},
        lang=str(get_locale() or "en"),
    ), status


@bp.get("/documents/<int:doc_id>")
@login_required
def document(doc_id: int):  # noqa: ANN201
    return _document_page(_document(doc_id))


@bp.post("/documents/<int:doc_id>/steps/<name>")
@fresh_login_required
def step(doc_id: int, name: str):  # noqa: ANN201
    doc = _document(doc_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    if name == "publish" and not form.confirm.data:
        # Checked before the confirmation: who may not publish is refused as before.
        permissions.require(current_user, Action.DOCUMENT_PUBLISH, doc)
        message = _("Tick the box to confirm that you have checked what you publish.")
        return _document_page(doc, form, 400, failed=name, error=message)
    # A step refused for what was typed is shown beside the comment; any other refusal is
    # flashed over the document page.
    with attempt(shown_in_page=(Invalid,)) as outcome:
        event = workflow.apply(doc, name, by=current_user, comment=form.comment.data or "")
    if isinstance(outcome.error, Invalid):
        return _document_page(doc, form, 400, failed=name, error=outcome.message)
    if outcome.failed:
        return redirect(url_for("workspace.document", doc_id=doc_id)), 303
    moved = event.document  # a published correction is now the published document itself
    if moved.id != doc_id:
        flash(_("Done: the correction is published and the published page shows it."))
    else:
        flash(_("Done: the document is now %(status)s.", status=STATUS_NAMES[moved.status.value]))
    return redirect(url_for("workspace.document", doc_id=moved.id)), 303


@bp.post("/documents/<int:doc_id>/correction")
@login_required
def correct(doc_id: int):  # noqa: ANN201
    doc = _document(doc_id)
    already = corrections.pending_for(doc) is not None
    correction = corrections.start(doc, by=current_user)
    if already:
        flash(_("A correction of this document is already open: continue it here."))
    else:
        flash(_("Correction started. The published version stays online until it is published."))
    return redirect(url_for("workspace.edit", doc_id=correction.id)), 303


@bp.post("/documents/<int:doc_id>/attachments")
@login_required
def upload(doc_id: int):  # noqa: ANN201
    doc = _document(doc_id, Action.ATTACHMENT_UPLOAD)
    form = UploadForm()
    storage = form.file.data if form.validate_on_submit() else None
    if storage is None or not storage.filename:
        flash(_("Choose a PDF file to upload."), "error")
        return redirect(url_for("workspace.document", doc_id=doc_id))
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        storage.save(tmp.name)
        if not is_pdf(Path(tmp.name).read_bytes()[:8]):
            audit.log("upload", "rejected", user=current_user, obj=doc, reason="not a pdf")
            flash(_("Only PDF files can be attached; this file is not a PDF."), "error")
            return redirect(url_for("workspace.document", doc_id=doc_id)), 303
        with attempt() as outcome:
            editing.attach_pdf(doc, Path(tmp.name), storage.filename, by=current_user)
        if outcome.failed:
            audit.log("upload", "rejected", user=current_user, obj=doc, reason=outcome.message)
            return redirect(url_for("workspace.document", doc_id=doc_id)), 303
    flash(_("Attached. Its text is being extracted for search."))
    return redirect(url_for("workspace.document", doc_id=doc_id)), 303


@bp.post("/documents/<int:doc_id>/revisions/<int:number>/restore")
@fresh_login_required
def restore(doc_id: int, number: int):  # noqa: ANN201
    doc = _document(doc_id, Action.REVISION_RESTORE)
    run_and_flash(
        lambda: editing.restore(
            doc, number, expected_version=form_int(request.form.get("version")), by=current_user
        ),
        _("Revision %(n)d restored as a new revision.", n=number),
    )
    return redirect(url_for("workspace.document", doc_id=doc_id)), 303
