"""Following a discussion: subscribing, the one-click unsubscribe link, and reply notices.

The unsubscribe link in every notice is signed (itsdangerous, as hub/accounts/tokens.py signs
invitations) and names one user and one thread. It works without logging in, because people
read mail where they are not logged in; it only ever stops mail, so it does not expire, and the
page it opens asks for a click, because mail scanners fetch links (a GET changes nothing).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app, render_template
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select

from hub import permissions
from hub.accounts.models import User
from hub.errors import Invalid
from hub.extensions import db
from hub.forum.models import Subscription, Thread
from hub.mail import send_mail
from hub.markup import plain_text
from hub.notifications.links import absolute, path_for
from hub.notifications.models import Category
from hub.notifications.service import notify
from hub.permissions import Action

if TYPE_CHECKING:
    from hub.forum.models import Post

log = logging.getLogger(__name__)

TOKEN_SALT = "hub-forum-unsubscribe"  # noqa: S105 - a salt, not a secret
EXCERPT_MAX = 600


def is_subscribed(thread: Thread, user: object) -> bool:
    if not isinstance(user, User):
        return False
    return db.session.get(Subscription, (thread.id, user.id)) is not None


def add(thread: Thread, user: User) -> None:
    """Follow ``thread`` (in the caller's transaction); following twice is following once."""
    for pending in db.session.new:
        is_same = isinstance(pending, Subscription) and pending.thread is thread
        if is_same and pending.user_id == user.id:
            return
    if thread.id is not None and is_subscribed(thread, user):
        return
    db.session.add(Subscription(thread=thread, user_id=user.id))


def subscribe(thread: Thread, *, by: User) -> None:
    """Follow a thread the member may read."""
    permissions.require(by, Action.DOCUMENT_READ, thread.document)
    permissions.require(by, Action.DISCUSSION_READ)
    add(thread, by)
    db.session.commit()


def unsubscribe(thread: Thread, user: User) -> bool:
    """Stop following; True when the user was following. Anyone may stop their own mail, even
    for a thread they can no longer read, so no read check here."""
    result = db.session.execute(
        delete(Subscription).where(
            Subscription.thread_id == thread.id, Subscription.user_id == user.id
        )
    )
    db.session.commit()
    return bool(result.rowcount)


# --- the signed link ---


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def make_token(user: User, thread: Thread) -> str:
    return _serializer().dumps({"u": user.id, "t": thread.id})


def read_token(token: str) -> tuple[User, Thread]:
    """The user and thread a genuine link names; Invalid (with a message) otherwise."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise Invalid(_bad_link_message()) from None
    if not isinstance(data, dict):
        raise Invalid(_bad_link_message())
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    thread = db.session.get(Thread, data.get("t")) if isinstance(data.get("t"), int) else None
    if user is None or thread is None:
        raise Invalid(
            _("This unsubscribe link is for a discussion or account that no longer exists.")
        )
    return user, thread


def _bad_link_message() -> str:
    return _(
        "This unsubscribe link is not valid: it may have been cut short or changed. Copy the "
        "whole link from the e-mail, or log in and use the Unsubscribe button on the discussion."
    )


def unsubscribe_url(user: User, thread: Thread) -> str:
    return absolute(path_for("forum.unsubscribe_link", token=make_token(user, thread)))


# --- telling followers of a reply ---


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def recipients(post: Post) -> list[User]:
    """Followers who should hear of ``post``: never its author, never for a removed post, and
    only active accounts that may still read the thread (a document can be archived)."""
    if post.is_hidden:
        return []
    thread = post.thread
    users = db.session.scalars(
        select(User)
        .join(Subscription, Subscription.user_id == User.id)
        .where(Subscription.thread_id == thread.id, User.id != post.author_id)
        .order_by(User.id)
    ).all()
    return [
        u
        for u in users
        if u.is_active
        and permissions.can(u, Action.DISCUSSION_READ)
        and permissions.can(u, Action.DOCUMENT_READ, thread.document)
    ]


def notify_reply(post: Post) -> list[Mail]:
    """Queue a notification for each follower (in the caller's transaction) and return the
    e-mails to send once the reply is committed."""
    thread = post.thread
    path = path_for("forum.show", thread_id=thread.id) + f"#post-{post.id}"
    author = post.author.name if post.author else _("Someone")
    message = _('%(name)s replied in "%(title)s"', name=author, title=thread.title)
    subject = _("New reply: %(title)s", title=thread.title)
    excerpt = plain_text(post.body)
    if len(excerpt) > EXCERPT_MAX:
        excerpt = excerpt[:EXCERPT_MAX].rsplit(" ", 1)[0] + " …"
    mails = []
    for user in recipients(post):
        notify(user, Category.REPLY, message, path)
        body = render_template(
            "mail/forum_reply.txt",
            name=author,
            title=thread.title,
            document=thread.document.title,
            excerpt=excerpt,
            url=absolute(path),
            unsubscribe=unsubscribe_url(user, thread),
        )
        mails.append(Mail(user.email, subject, body))
    return mails


def send(mails: list[Mail]) -> int:
    """Send after the commit, one message per follower (each has their own unsubscribe link).
    A failed delivery is logged by send_mail and does not undo the reply."""
    sent = 0
    for mail in mails:
        if send_mail(mail.to, mail.subject, mail.body):
            sent += 1
    if sent < len(mails):
        log.warning("reply notices: %d of %d e-mails not sent", len(mails) - sent, len(mails))
    return sent
