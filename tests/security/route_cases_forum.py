"""Requests for the discussion routes of the route matrix (policy in route_policy.d/forum.yml).

Each call that writes gets a thread or post of its own, made directly as rows (a thread on an
archived brief cannot be started through the service, which accepts published documents only).
GET calls read threads made once per World by WORLD_SETUP, before any call is watched: a GET's
builder must not write (T-13 checks that no GET changes the database).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import select

from hub.accounts.models import Role
from hub.dbtypes import utcnow
from hub.documents.models import Document
from hub.extensions import db
from hub.forum import subscriptions
from hub.forum.models import Post, Subscription, Thread
from tests.security.route_matrix import (
    WORLD_SETUP,
    Call,
    World,
    account,
    case,
    current,
    new_document,
)

THREAD_DOCS = {
    "thread on a published public brief": "gha_published",
    "thread on a members-only brief": "gha_members",
    "thread on an archived GHA brief": "gha_archived",
}
POST_DOCS = {
    "post by another GHA user": "gha_published",
    "post on an archived GHA brief": "gha_archived",
}
START_DOCS = {
    "published public brief": "gha_published",
    "published guidebook section": "guide_published",
    "GHA draft": "gha_draft",
}


def new_thread(spec: str, *, hidden: bool = False, locked: bool = False) -> tuple[int, int]:
    """A thread by a Ghana user (not one of the actors) on a new document; (thread, post) ids."""
    author = account(Role.FOCAL_POINT, "GHA")
    doc: Document = new_document(spec)
    thread = Thread(document=doc, title=f"Thread {uuid.uuid4().hex[:8]}", author_id=author.id)
    thread.is_locked = locked
    post = Post(thread=thread, author_id=author.id, country_id=author.country_id, body="First.")
    if hidden:
        post.hidden_at, post.hidden_reason = utcnow(), "matrix"
    db.session.add_all([thread, post, Subscription(thread=thread, user_id=author.id)])
    db.session.commit()
    return thread.id, post.id


def _setup(w: World) -> None:
    """A thread per document spec, for the read-only calls: world.forum[spec] = (thread, post)."""
    specs = sorted(set(THREAD_DOCS.values()) | set(POST_DOCS.values()))
    w.forum = {spec: new_thread(spec) for spec in specs}


WORLD_SETUP.append(_setup)


def shared(w: World, spec: str) -> tuple[int, int]:
    return w.forum[spec]


def _post_count(thread_id: int, body: str) -> Callable[[], bool]:
    return lambda: (
        db.session.scalar(select(Post.id).where(Post.thread_id == thread_id, Post.body == body))
        is not None
    )


def _following(thread_id: int, user_id: int | None) -> bool:
    db.session.expire_all()
    return user_id is not None and db.session.get(Subscription, (thread_id, user_id)) is not None


case("forum.index", "GET")(lambda w, actor: Call("/discussions/"))

for _name, _spec in START_DOCS.items():
    case("forum.new", "GET", _name)(
        lambda w, actor, spec=_spec: Call(f"/discussions/documents/{w.docs[spec].id}/new")
    )

    @case("forum.new", "POST", _name)
    def _start(w: World, actor: str, spec: str = _spec) -> Call:
        title = f"Started {uuid.uuid4().hex[:8]}"
        return Call(
            f"/discussions/documents/{w.docs[spec].id}/new",
            lambda: {"title": title, "body": "Opening message."},
            effect=lambda: (
                db.session.scalar(select(Thread.id).where(Thread.title == title)) is not None
            ),
        )


for _name, _spec in THREAD_DOCS.items():

    @case("forum.show", "GET", _name)
    def _show(w: World, actor: str, spec: str = _spec) -> Call:
        return Call(f"/discussions/{shared(w, spec)[0]}")

    @case("forum.history", "GET", _name)
    def _history(w: World, actor: str, spec: str = _spec) -> Call:
        return Call(f"/discussions/posts/{shared(w, spec)[1]}/history")

    @case("forum.reply", "POST", _name)
    def _reply(w: World, actor: str, spec: str = _spec) -> Call:
        thread_id = new_thread(spec)[0]
        body = f"Reply {uuid.uuid4().hex[:8]}"
        return Call(
            f"/discussions/{thread_id}/reply",
            lambda: {"body": body},
            effect=_post_count(thread_id, body),
        )

    @case("forum.subscribe", "POST", _name)
    def _subscribe(w: World, actor: str, spec: str = _spec) -> Call:
        thread_id = new_thread(spec)[0]
        user_id = w.user_ids.get(actor)
        return Call(
            f"/discussions/{thread_id}/subscribe",
            effect=lambda: _following(thread_id, user_id),
        )

    @case("forum.unsubscribe", "POST", _name)
    def _unsubscribe(w: World, actor: str, spec: str = _spec) -> Call:
        thread_id = new_thread(spec)[0]
        user_id = w.user_ids.get(actor)
        if user_id is not None:
            db.session.add(Subscription(thread_id=thread_id, user_id=user_id))
            db.session.commit()
        return Call(
            f"/discussions/{thread_id}/unsubscribe",
            effect=lambda: user_id is not None and not _following(thread_id, user_id),
        )


for _name, _spec in POST_DOCS.items():

    @case("forum.edit", "GET", _name)
    def _edit_page(w: World, actor: str, spec: str = _spec) -> Call:
        return Call(f"/discussions/posts/{shared(w, spec)[1]}/edit")

    @case("forum.edit", "POST", _name)
    def _edit(w: World, actor: str, spec: str = _spec) -> Call:
        post_id = new_thread(spec)[1]
        body = f"Edited {uuid.uuid4().hex[:8]}"
        return Call(
            f"/discussions/posts/{post_id}/edit",
            lambda: {"body": body, "version": "1"},
            effect=lambda: current(Post, post_id).body == body,
        )


@case("forum.hide", "POST", "post by another GHA user")
def _hide(w: World, actor: str) -> Call:
    post_id = new_thread("gha_published")[1]
    return Call(
        f"/discussions/posts/{post_id}/hide",
        lambda: {"reason": "Off topic"},
        effect=lambda: current(Post, post_id).hidden_at is not None,
    )


@case("forum.restore", "POST", "post by another GHA user")
def _restore(w: World, actor: str) -> Call:
    post_id = new_thread("gha_published", hidden=True)[1]
    return Call(
        f"/discussions/posts/{post_id}/restore",
        effect=lambda: current(Post, post_id).hidden_at is None,
    )


@case("forum.lock", "POST", "thread on a published public brief")
def _lock(w: World, actor: str) -> Call:
    thread_id = new_thread("gha_published")[0]
    return Call(
        f"/discussions/{thread_id}/lock",
        effect=lambda: current(Thread, thread_id).is_locked is True,
    )


@case("forum.unlock", "POST", "thread on a published public brief")
def _unlock(w: World, actor: str) -> Call:
    thread_id = new_thread("gha_published", locked=True)[0]
    return Call(
        f"/discussions/{thread_id}/unlock",
        effect=lambda: current(Thread, thread_id).is_locked is False,
    )


def _link(w: World) -> tuple[str, int, int]:
    """The unsubscribe link a bystander got by e-mail: (path, thread id, user id)."""
    thread_id = new_thread("gha_published")[0]
    thread = db.session.get(Thread, thread_id)
    author_id = thread.author_id
    token = subscriptions.make_token(thread.author, thread)
    return f"/discussions/unsubscribe/{token}", thread_id, author_id


@case("forum.unsubscribe_link", "GET")
def _link_page(w: World, actor: str) -> Call:
    thread_id = shared(w, "gha_published")[0]
    thread = db.session.get(Thread, thread_id)
    return Call(f"/discussions/unsubscribe/{subscriptions.make_token(thread.author, thread)}")


@case("forum.unsubscribe_link", "POST")
def _unsubscribe_link(w: World, actor: str) -> Call:
    path, thread_id, user_id = _link(w)
    return Call(path, effect=lambda: not _following(thread_id, user_id))
