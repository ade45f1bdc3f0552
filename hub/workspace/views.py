"""The workspace: dashboard, editor with preview, uploads, workflow steps, revision restore."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, fresh_login_required, login_required
from sqlalchemy import select

from hub import audit, permissions
from hub.documents import editing, workflow
from hub.documents.files import is_pdf
from hub.documents.models import Document, Kind
from hub.documents.service import KIND_BY_PATH
from hub.errors import Conflict, HubError, NotAllowed, NotFound
from hub.extensions import db
from hub.guidebook import topics
from hub.http import form_int
from hub.markup import render_markdown
from hub.permissions import Action
from hub.workspace import service
from hub.workspace.forms import DocumentForm, TransitionForm, UploadForm

bp = Blueprint("workspace", __name__, url_prefix="/workspace")
NEW_KINDS = {**KIND_BY_PATH, "guidebook": Kind.GUIDEBOOK_SECTION}


def _document(doc_id: int, action: Action = Action.DOCUMENT_READ) -> Document:
    doc = db.session.get(Document, doc_id)
    if doc is None:
        raise NotFound()
    permissions.require(current_user, action, doc)
    return doc


def _sections() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Document.slug, Document.title)
        .where(Document.kind == Kind.GUIDEBOOK_SECTION)
        .order_by(Document.title)
    )
    return [("", "—")] + [(slug, title) for slug, title in rows]


def _topic_choices(kind: Kind) -> list[tuple[str, str]]:
    if kind is Kind.GUIDEBOOK_SECTION:
        return []  # a section is a topic itself
    return [(s.slug, s.title) for s in topics.choosable_sections(current_user)]


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
    form.topics.choices = _topic_choices(kind)
    preview = None
    status = 200
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = render_markdown(form.body.data)
        else:
            try:
                doc = editing.create(kind, form.to_input(), by=current_user)
            except HubError as exc:
                flash(exc.message, "error")
                status = exc.status
            else:
                flash(_("Draft saved."))
                return redirect(url_for("workspace.document", doc_id=doc.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "workspace/edit.html", form=form, kind=kind, doc=None, preview=preview
    ), status


@bp.route("/documents/<int:doc_id>/edit", methods=["GET", "POST"])
@login_required
def edit(doc_id: int):  # noqa: ANN201
    doc = _document(doc_id, Action.DOCUMENT_EDIT)
    form = DocumentForm(obj=None if request.method == "POST" else _FormData(doc))
    form.parent.choices = [c for c in _sections() if c[0] != doc.slug]
    form.topics.choices = _topic_choices(doc.kind)
    preview, status = None, 200
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = render_markdown(form.body.data)
        else:
            try:
                changed = editing.update(
                    doc, form.to_input(), expected_version=form_int(form.version.data),
                    by=current_user, note=form.note.data or "",
                )  # fmt: skip
            except Conflict as exc:
                db.session.rollback()
                flash(exc.message, "error")
                status = 409
                current = db.session.get(Document, doc_id)
                return render_template(
                    "workspace/edit.html", form=form, kind=doc.kind, doc=current,
                    preview=None, conflict=current,
                ), status  # fmt: skip
            except HubError as exc:
                db.session.rollback()
                flash(exc.message, "error")
                status = exc.status
            else:
                flash(_("Saved.") if changed else _("Nothing had changed."))
                return redirect(url_for("workspace.document", doc_id=doc.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "workspace/edit.html", form=form, kind=doc.kind, doc=doc, preview=preview
    ), status


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


@bp.get("/documents/<int:doc_id>")
@login_required
def document(doc_id: int):  # noqa: ANN201
    doc = _document(doc_id)
    return render_template(
        "workspace/document.html",
        doc=doc,
        transitions=workflow.available(doc, current_user),
        transition_form=TransitionForm(),
        upload_form=UploadForm(),
    )


@bp.post("/documents/<int:doc_id>/steps/<name>")
@fresh_login_required
def step(doc_id: int, name: str):  # noqa: ANN201
    doc = _document(doc_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        workflow.apply(doc, name, by=current_user, comment=form.comment.data or "")
    except NotAllowed:
        db.session.rollback()
        raise  # a 403 page, and the attempt is audited
    except HubError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("workspace.document", doc_id=doc_id)), 303
    flash(_("Done: the document is now %(status)s.", status=doc.status.value))
    return redirect(url_for("workspace.document", doc_id=doc_id)), 303


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
        try:
            editing.attach_pdf(doc, Path(tmp.name), storage.filename, by=current_user)
        except HubError as exc:
            db.session.rollback()
            audit.log("upload", "rejected", user=current_user, obj=doc, reason=exc.message)
            flash(exc.message, "error")
            return redirect(url_for("workspace.document", doc_id=doc_id)), 303
    flash(_("Attached. Its text is being extracted for search."))
    return redirect(url_for("workspace.document", doc_id=doc_id)), 303


@bp.post("/documents/<int:doc_id>/revisions/<int:number>/restore")
@fresh_login_required
def restore(doc_id: int, number: int):  # noqa: ANN201
    doc = _document(doc_id, Action.REVISION_RESTORE)
    try:
        editing.restore(
            doc, number, expected_version=form_int(request.form.get("version")), by=current_user
        )
    except HubError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(_("Revision %(n)d restored as a new revision.", n=number))
    return redirect(url_for("workspace.document", doc_id=doc_id)), 303
