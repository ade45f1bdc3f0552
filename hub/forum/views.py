"""HTTP views of the discussions: thin, the rules live in service, moderation and subscriptions.

Every form that fails (a missing title, a lost editing race, a locked thread) is shown again with
what the member typed and a message, so nothing they wrote is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from hub import permissions
from hub.documents.models import Document, Status
from hub.errors import HubError, NotFound
from hub.extensions import db
from hub.forum import moderation, service, subscriptions
from hub.forum.forms import BODY_HELP, ButtonForm, EditForm, HideForm, ReplyForm, ThreadForm
from hub.forum.models import Post, Thread
from hub.http import form_int, int_arg
from hub.outcomes import attempt, run_and_flash
from hub.permissions import Action

bp = Blueprint("forum", __name__, url_prefix="/discussions")


# --- the panel on document and guidebook pages ---


@dataclass(frozen=True)
class Panel:
    """What forum/_threads.html shows under a document."""

    doc: Document
    is_member: bool
    threads: list[service.ThreadSummary]
    form: ThreadForm | None  # None when the viewer may not start a discussion here


def _with_ids(form: FlaskForm, prefix: str) -> FlaskForm:
    """Give the visible fields page-unique ids: these forms share pages with rendered Markdown,
    whose heading ids (``toc``) could otherwise repeat "title" or "body"."""
    for field in form:
        if field.type not in ("CSRFTokenField", "HiddenField"):
            field.id = field.label.field_id = f"{prefix}-{field.name}"
    return form


@bp.app_template_global("discussion_panel")
def discussion_panel(doc: Document) -> Panel:
    """Data for the discussions partial (a template global, so the document views stay as
    they are)."""
    user = current_user._get_current_object()
    is_member = permissions.can(user, Action.DISCUSSION_READ)
    may_start = (
        permissions.can(user, Action.DISCUSSION_POST)
        and doc.status is Status.PUBLISHED
        and permissions.can(user, Action.DOCUMENT_READ, doc)
    )
    return Panel(
        doc=doc,
        is_member=is_member,
        threads=service.threads_of(doc, viewer=user) if is_member else [],
        form=_with_ids(ThreadForm(formdata=None), "discussion") if may_start else None,
    )


# --- pages ---


def _user() -> Any:
    return current_user._get_current_object()


@bp.get("/")
@login_required
def index():  # noqa: ANN201
    page = service.recent_threads(viewer=_user(), page=int_arg("page", 1))
    return render_template("forum/index.html", page=page)


def _document(doc_id: int) -> Document:
    doc = db.session.get(Document, doc_id)
    if doc is None:
        raise NotFound()
    permissions.require(_user(), Action.DOCUMENT_READ, doc)
    return doc


@bp.route("/documents/<int:doc_id>/new", methods=["GET", "POST"])
@login_required
def new(doc_id: int):  # noqa: ANN201
    doc = _document(doc_id)
    permissions.require(_user(), Action.DISCUSSION_POST)
    if doc.status is not Status.PUBLISHED:
        # Drafts and archived documents have no discussions to start.
        raise NotFound(_("Discussions can be started on published documents only."))
    form = ThreadForm()
    status = 200
    if form.validate_on_submit():
        with attempt() as outcome:
            thread = service.start_thread(doc, form.title.data, form.body.data, by=_user())
        if outcome.ok:
            flash(_("Your discussion has started. You will get an e-mail when someone replies."))
            return redirect(url_for("forum.show", thread_id=thread.id), 303)
        status = outcome.status
    elif request.method == "POST":
        status = 400
    return render_template("forum/new.html", doc=doc, form=_with_ids(form, "discussion")), status


def _thread_page(thread: Thread, reply_form: ReplyForm | None = None, status: int = 200):  # noqa: ANN202
    user = _user()
    return render_template(
        "forum/thread.html",
        thread=thread,
        posts=service.post_views(thread, viewer=user),
        reply_form=_with_ids(reply_form or ReplyForm(formdata=None), "reply"),
        hide_form=HideForm(formdata=None),
        is_subscribed=subscriptions.is_subscribed(thread, user),
        is_moderator=permissions.can(user, Action.DISCUSSION_MODERATE),
        may_reply=permissions.can(user, Action.DISCUSSION_POST) and (not thread.is_locked),
        locked_message=service.locked_message(),
        body_help=BODY_HELP,
    ), status


@bp.get("/<int:thread_id>")
@login_required
def show(thread_id: int):  # noqa: ANN201
    return _thread_page(service.get_thread(thread_id, viewer=_user()))


@bp.post("/<int:thread_id>/reply")
@login_required
def reply(thread_id: int):  # noqa: ANN201
    thread = service.get_thread(thread_id, viewer=_user())
    form = ReplyForm()
    if not form.validate_on_submit():
        flash(_("Your reply was not sent: write a message first."), "error")
        return _thread_page(thread, form, 400)
    with attempt() as outcome:
        post = service.reply(thread, form.body.data, by=_user())
    if outcome.failed:
        return _thread_page(db.session.get(Thread, thread_id), form, outcome.status)
    flash(_("Your reply is posted."))
    return redirect(url_for("forum.show", thread_id=thread_id, _anchor=f"post-{post.id}"), 303)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int):  # noqa: ANN201
    post = service.get_post(post_id, viewer=_user())
    permissions.require(_user(), Action.POST_EDIT, post)
    refusal = service.edit_refusal(post, by=_user())
    if request.method == "GET" and refusal:
        flash(refusal, "error")
        return redirect(url_for("forum.show", thread_id=post.thread_id, _anchor=f"post-{post.id}"))
    if request.method == "GET":
        form = EditForm(formdata=None, data={"body": post.body, "version": str(post.version)})
        return _edit_page(post, form)
    form = EditForm()
    if not form.validate_on_submit():
        return _edit_page(post, form, status=400)
    with attempt() as outcome:
        changed = service.edit_post(
            post, form.body.data, expected_version=form_int(form.version.data), by=_user()
        )
    if outcome.failed:
        fresh = db.session.get(Post, post_id)
        # After a lost race the member sees the current text beside theirs and saves again
        # over the version they have now seen.
        form.version.data = str(fresh.version)
        return _edit_page(fresh, form, current=fresh, status=outcome.status)
    flash(_("Saved.") if changed else _("Nothing had changed."))
    return redirect(url_for("forum.show", thread_id=post.thread_id, _anchor=f"post-{post.id}"), 303)


def _edit_page(post: Post, form: EditForm, *, current: Post | None = None, status: int = 200):  # noqa: ANN202
    form = _with_ids(form, "post")
    return render_template("forum/edit.html", post=post, form=form, current=current), status


@bp.get("/posts/<int:post_id>/history")
@login_required
def history(post_id: int):  # noqa: ANN201
    post = service.get_post(post_id, viewer=_user())
    return render_template("forum/history.html", history=service.history(post, viewer=_user()))


# --- moderation ---


def _moderate(thread_id: int, action: Any, message: str, *args: Any):  # noqa: ANN202
    """Run one moderation step; a refusal is a 403, a step that no longer applies a message."""
    run_and_flash(lambda: action(*args, by=_user()), message)
    return redirect(url_for("forum.show", thread_id=thread_id), 303)


def _checked_button() -> None:
    if not ButtonForm().validate_on_submit():
        abort(400)


@bp.post("/posts/<int:post_id>/hide")
@login_required
def hide(post_id: int):  # noqa: ANN201
    post = service.get_post(post_id, viewer=_user())
    permissions.require(_user(), Action.DISCUSSION_MODERATE)
    form = HideForm()
    if not form.validate_on_submit():
        flash(_("The post was not removed: give a reason."), "error")
        return _thread_page(post.thread, status=400)
    return _moderate(
        post.thread_id, moderation.hide_post, _("The post is removed."), post, form.reason.data
    )


@bp.post("/posts/<int:post_id>/restore")
@login_required
def restore(post_id: int):  # noqa: ANN201
    post = service.get_post(post_id, viewer=_user())
    _checked_button()
    return _moderate(post.thread_id, moderation.restore_post, _("The post is shown again."), post)


@bp.post("/<int:thread_id>/lock")
@login_required
def lock(thread_id: int):  # noqa: ANN201
    thread = service.get_thread(thread_id, viewer=_user())
    _checked_button()
    return _moderate(thread_id, moderation.lock, _("The discussion is locked."), thread)


@bp.post("/<int:thread_id>/unlock")
@login_required
def unlock(thread_id: int):  # noqa: ANN201
    thread = service.get_thread(thread_id, viewer=_user())
    _checked_button()
    return _moderate(thread_id, moderation.unlock, _("The discussion is open again."), thread)


# --- following ---


@bp.post("/<int:thread_id>/subscribe")
@login_required
def subscribe(thread_id: int):  # noqa: ANN201
    thread = service.get_thread(thread_id, viewer=_user())
    _checked_button()
    subscriptions.subscribe(thread, by=_user())
    flash(_("You follow this discussion: replies reach you by e-mail."))
    return redirect(url_for("forum.show", thread_id=thread_id), 303)


@bp.post("/<int:thread_id>/unsubscribe")
@login_required
def unsubscribe(thread_id: int):  # noqa: ANN201
    thread = service.get_thread(thread_id, viewer=_user())
    _checked_button()
    subscriptions.unsubscribe(thread, _user())
    flash(_("You no longer follow this discussion."))
    return redirect(url_for("forum.show", thread_id=thread_id), 303)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe_link(token: str):  # noqa: ANN201
    """The link in every reply notice: works without logging in. A GET only asks; the button
    unsubscribes, so a mail scanner that opens links changes nothing."""
    with attempt(shown_in_page=(HubError,)) as outcome:
        user, thread = subscriptions.read_token(token)
    if outcome.failed:
        return render_template("forum/unsubscribe.html", error=outcome.message), outcome.status
    form = ButtonForm()
    done = False
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        subscriptions.unsubscribe(thread, user)
        done = True
    # The title only for someone who may still read the thread (a forwarded mail shows it anyway).
    title = thread.title if service.may_read(user, thread) else None
    return render_template("forum/unsubscribe.html", error=None, form=form, title=title, done=done)
