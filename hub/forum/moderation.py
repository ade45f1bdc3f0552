"""The Secretariat's moderation: removing and restoring posts, locking and unlocking threads.

A removed post is hidden, not deleted: members see that the Secretariat removed it, the
Secretariat still reads it (with the reason) and can restore it, and the audit log keeps who did
what.
"""

from __future__ import annotations

from flask_babel import gettext as _

from hub import audit, permissions
from hub.accounts.models import User
from hub.dbtypes import utcnow
from hub.errors import Conflict, Invalid
from hub.extensions import db
from hub.forum.models import REASON_MAX, Post, Thread
from hub.permissions import Action


def hide_post(post: Post, reason: str, *, by: User) -> None:
    """Remove a post from members' view; the reason is required so the decision can be
    explained later."""
    permissions.require(by, Action.DISCUSSION_MODERATE)
    cleaned = " ".join((reason or "").split())
    if not cleaned:
        raise Invalid(_("Give a reason for removing the post."))
    if len(cleaned) > REASON_MAX:
        raise Invalid(_("The reason is longer than %(n)d characters.", n=REASON_MAX))
    if post.is_hidden:
        raise Conflict(_("This post was already removed."))
    post.hidden_at = utcnow()
    post.hidden_by_id = by.id
    post.hidden_reason = cleaned
    db.session.commit()
    audit.log("forum_post_hidden", "success", user=by, obj=post)


def restore_post(post: Post, *, by: User) -> None:
    """Show a removed post again."""
    permissions.require(by, Action.DISCUSSION_MODERATE)
    if not post.is_hidden:
        raise Conflict(_("This post is not removed."))
    post.hidden_at = None
    post.hidden_by_id = None
    post.hidden_reason = ""
    db.session.commit()
    audit.log("forum_post_restored", "success", user=by, obj=post)


def lock(thread: Thread, *, by: User) -> None:
    """No new replies or edits by members until unlocked; the thread stays readable."""
    permissions.require(by, Action.DISCUSSION_MODERATE)
    if thread.is_locked:
        raise Conflict(_("This discussion is already locked."))
    thread.is_locked = True
    thread.locked_at = utcnow()
    thread.locked_by_id = by.id
    db.session.commit()
    audit.log("forum_thread_locked", "success", user=by, obj=thread)


def unlock(thread: Thread, *, by: User) -> None:
    permissions.require(by, Action.DISCUSSION_MODERATE)
    if not thread.is_locked:
        raise Conflict(_("This discussion is not locked."))
    thread.is_locked = False
    thread.locked_at = None
    thread.locked_by_id = None
    db.session.commit()
    audit.log("forum_thread_unlocked", "success", user=by, obj=thread)
