"""Discussion rules: who reads which thread, starting threads, replying and editing posts.

A thread is readable by a member exactly when the document it belongs to is (one access rule:
``hub.permissions``), so a discussion never shows more than its document. The public sees no
discussion at all. Every change commits here; mail goes out after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from hub import permissions
from hub.accounts.models import User
from hub.dbtypes import utcnow
from hub.documents.models import Document, Status
from hub.errors import Conflict, Invalid, NotFound
from hub.extensions import db
from hub.forum import subscriptions
from hub.forum.models import BODY_MAX, TITLE_MAX, Post, PostRevision, Thread
from hub.pagination import Page, paginate
from hub.permissions import Action

PER_PAGE = 30


def may_read(viewer: Any, thread: Thread) -> bool:
    """Members read a thread when they may read its document."""
    return permissions.can(viewer, Action.DISCUSSION_READ) and permissions.can(
        viewer, Action.DOCUMENT_READ, thread.document
    )


def get_thread(thread_id: int, *, viewer: Any) -> Thread:
    """The thread, or 404 when it does not exist or its document is hidden from the viewer."""
    thread = db.session.get(Thread, thread_id)
    if thread is None:
        raise NotFound()
    permissions.require(viewer, Action.DOCUMENT_READ, thread.document)
    permissions.require(viewer, Action.DISCUSSION_READ)
    return thread


def get_post(post_id: int, *, viewer: Any) -> Post:
    """The post, with the same visibility as its thread."""
    post = db.session.get(Post, post_id)
    if post is None:
        raise NotFound()
    get_thread(post.thread_id, viewer=viewer)
    return post


def _clean_title(title: str) -> str:
    # One line: titles go into e-mail subjects, where a line break would add headers.
    cleaned = " ".join((title or "").split())
    if not cleaned:
        raise Invalid(_("Give the discussion a title."))
    if len(cleaned) > TITLE_MAX:
        raise Invalid(_("The title is longer than %(n)d characters.", n=TITLE_MAX))
    return cleaned


def _clean_body(body: str) -> str:
    cleaned = (body or "").replace("\r\n", "\n").strip()
    if not cleaned:
        raise Invalid(_("Write a message first."))
    if len(cleaned) > BODY_MAX:
        raise Invalid(_("The message is longer than %(n)d characters.", n=BODY_MAX))
    return cleaned


def _new_post(thread: Thread, body: str, by: User) -> Post:
    post = Post(thread=thread, author_id=by.id, country_id=by.country_id, body=body)
    db.session.add(post)
    return post


def start_thread(doc: Document, title: str, body: str, *, by: User) -> Thread:
    """Open a discussion on a published document the member may read; they follow it."""
    permissions.require(by, Action.DOCUMENT_READ, doc)
    permissions.require(by, Action.DISCUSSION_POST)
    if doc.status is not Status.PUBLISHED:
        raise Conflict(_("Discussions can be started on published documents only."))
    thread = Thread(document=doc, title=_clean_title(title), author_id=by.id)
    db.session.add(thread)
    _new_post(thread, _clean_body(body), by)
    subscriptions.add(thread, by)
    db.session.commit()
    return thread


def reply(thread: Thread, body: str, *, by: User) -> Post:
    """Add a reply; its author follows the thread and the other followers hear of it."""
    permissions.require(by, Action.DOCUMENT_READ, thread.document)
    permissions.require(by, Action.DISCUSSION_POST)
    if thread.is_locked:
        raise Conflict(locked_message())
    post = _new_post(thread, _clean_body(body), by)
    thread.last_post_at = utcnow()
    subscriptions.add(thread, by)
    db.session.flush()
    mails = subscriptions.notify_reply(post)
    db.session.commit()
    subscriptions.send(mails)
    return post


def locked_message() -> str:
    return _("This discussion is locked by the Secretariat: no new replies or edits can be added.")


def edit_post(post: Post, body: str, *, expected_version: int, by: User) -> bool:
    """Replace a post's text, keeping the old text as a revision. Returns False when nothing
    changed. A save based on an older version raises Conflict, so two editors never silently
    overwrite each other."""
    permissions.require(by, Action.DOCUMENT_READ, post.thread.document)
    permissions.require(by, Action.POST_EDIT, post)
    refusal = edit_refusal(post, by=by)
    if refusal:
        raise Conflict(refusal)
    if post.version != expected_version:
        raise Conflict(conflict_message())
    cleaned = _clean_body(body)
    if cleaned == post.body:
        return False
    number = len(post.revisions) + 1
    written_at = post.edited_at or post.created_at
    post.revisions.append(
        PostRevision(number=number, body=post.body, written_at=written_at, replaced_by_id=by.id)
    )
    post.body = cleaned
    post.edited_at = utcnow()
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(conflict_message()) from None
    return True


def edit_refusal(post: Post, *, by: Any) -> str | None:
    """Why a member allowed to edit this post cannot edit it now, or None. A locked thread and a
    removed post are frozen for everyone but the Secretariat."""
    if permissions.can(by, Action.DISCUSSION_MODERATE):
        return None
    if post.thread.is_locked:
        return locked_message()
    if post.is_hidden:
        return _("This post was removed by the Secretariat and can no longer be edited.")
    return None


def conflict_message() -> str:
    return _(
        "Someone else changed this post while you were editing it. Your text is kept below: "
        "compare it with the current version, then save again."
    )


@dataclass(frozen=True)
class PostHistory:
    post: Post
    revisions: list[PostRevision]  # oldest first; empty when the viewer may not see them
    is_withheld: bool  # removed by the Secretariat: only moderators see the texts


def history(post: Post, *, viewer: Any) -> PostHistory:
    """Earlier texts of a post; a removed post's texts stay with the Secretariat."""
    if post.is_hidden and not permissions.can(viewer, Action.DISCUSSION_MODERATE):
        return PostHistory(post, [], True)
    return PostHistory(post, list(post.revisions), False)


@dataclass(frozen=True)
class PostView:
    post: Post
    shows_text: bool  # False: members see only that the Secretariat removed it
    may_edit: bool


def post_views(thread: Thread, *, viewer: Any) -> list[PostView]:
    """The posts of a thread as the viewer sees them, oldest first."""
    moderator = permissions.can(viewer, Action.DISCUSSION_MODERATE)
    frozen = thread.is_locked and not moderator
    return [
        PostView(
            post,
            shows_text=moderator or not post.is_hidden,
            may_edit=not frozen
            and (moderator or not post.is_hidden)
            and permissions.can(viewer, Action.POST_EDIT, post),
        )
        for post in thread.posts
    ]


# --- listings ---


@dataclass(frozen=True)
class ThreadSummary:
    thread: Thread
    replies: int
    last_post_at: datetime


def _readable_threads(viewer: Any) -> Select:
    """Threads on documents the viewer may read (the one rule, as SQL: see hub.permissions)."""
    return select(Thread).join(Thread.document).where(permissions.readable_documents(viewer))


def _summaries(threads: list[Thread]) -> list[ThreadSummary]:
    ids = [t.id for t in threads]
    counts = dict(
        db.session.execute(
            select(Post.thread_id, func.count(Post.id))
            .where(Post.thread_id.in_(ids))
            .group_by(Post.thread_id)
        ).all()
    )
    return [ThreadSummary(t, max(counts.get(t.id, 1) - 1, 0), t.last_post_at) for t in threads]


def recent_threads(*, viewer: Any, page: int = 1, per_page: int = PER_PAGE) -> Page[ThreadSummary]:
    """The discussions a member may read, most recently active first."""
    permissions.require(viewer, Action.DISCUSSION_READ)
    stmt = (
        _readable_threads(viewer)
        .options(selectinload(Thread.document).selectinload(Document.country))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
    )
    return paginate(stmt, page, per_page).map(_summaries)


def threads_of(doc: Document, *, viewer: Any) -> list[ThreadSummary]:
    """The discussions of one document, most recently active first; none for the public."""
    if not permissions.can(viewer, Action.DISCUSSION_READ):
        return []
    if not permissions.can(viewer, Action.DOCUMENT_READ, doc):
        return []
    threads = db.session.scalars(
        select(Thread)
        .where(Thread.document_id == doc.id)
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
    ).all()
    return _summaries(list(threads))
