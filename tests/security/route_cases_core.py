"""Requests for the public pages, the workspace and the account routes of the route matrix
(policy in route_policy.yml)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable

from sqlalchemy import select

from hub.accounts import tokens
from hub.accounts.models import Role, User
from hub.documents.models import Document, Status
from hub.extensions import db
from tests.security.route_matrix import (
    NEW_PASSWORD,
    PASSWORD,
    PDF,
    Builder,
    Call,
    World,
    account,
    case,
    current,
    document_form,
    document_with_two_revisions,
    new_actor,
    new_doc,
)


def _page(endpoint: str, name: str, url: Callable[[World], str]) -> None:
    case(endpoint, "GET", name)(lambda w, actor: Call(url(w)))


def _public(doc: str, suffix: str = "") -> Callable[[World], str]:
    return lambda w: w.docs[doc].public_url + suffix


for _endpoint, _name, _url in [
    ("pages.home", "", lambda w: "/"),
    ("pages.about", "", lambda w: "/about"),
    ("pages.favicon", "", lambda w: "/favicon.ico"),
    ("pages.health", "", lambda w: "/health"),
    ("guidebook.index", "", lambda w: "/guidebook/"),
    ("guidebook.section", "published section", _public("guide_published")),
    ("guidebook.section", "draft section", _public("guide_draft")),
    ("guidebook.history", "published section", _public("guide_published", "/history")),
    ("guidebook.history", "draft section", _public("guide_draft", "/history")),
    ("guidebook.diff", "published section", _public("guide_published", "/diff?from=1&to=2")),
    ("guidebook.diff", "draft section", _public("guide_draft", "/diff?from=1&to=2")),
    ("documents.index", "briefs", lambda w: "/briefs/"),
    ("documents.index", "experiences", lambda w: "/experiences/"),
    ("documents.area", "", lambda w: "/areas/capabilities"),
    ("documents.show", "published public brief", _public("gha_published")),
    ("documents.show", "published members-only brief", _public("gha_members")),
    ("documents.show", "GHA draft", _public("gha_draft")),
    ("documents.show", "SRB draft", _public("srb_draft")),
    ("documents.show", "archived GHA brief", _public("gha_archived")),
    (
        "documents.download",
        "of a published public brief",
        lambda w: w.download_url("gha_published"),
    ),
    ("documents.download", "of a members-only brief", lambda w: w.download_url("gha_members")),
    ("documents.download", "of a GHA draft", lambda w: w.download_url("gha_draft")),
    ("countries.index", "", lambda w: "/countries/"),
    ("countries.show", "", lambda w: "/countries/gha"),
    ("sdg.index", "", lambda w: "/sdgs/"),
    ("sdg.show", "", lambda w: "/sdgs/9"),
    ("search.results", "", lambda w: "/search?q=roadmaps"),
    ("api.search_json", "", lambda w: "/api/v1/search?q=roadmaps"),
    ("accounts.login", "", lambda w: "/login"),
    ("accounts.change_password", "", lambda w: "/account/password"),
    ("accounts.request_reset", "", lambda w: "/account/reset"),
    ("accounts.reset_password", "", lambda w: f"/account/reset/{w.reset_token}"),
    ("accounts.accept_invitation", "", lambda w: f"/invitation/{w.invite_token}"),
    ("accounts.users", "", lambda w: "/admin/users"),
    ("search_analytics.report", "", lambda w: "/admin/search-analytics"),
    ("workspace.dashboard", "", lambda w: "/workspace/"),
    ("workspace.new", "briefs", lambda w: "/workspace/new/briefs"),
    ("workspace.new", "experiences", lambda w: "/workspace/new/experiences"),
    ("workspace.new", "guidebook", lambda w: "/workspace/new/guidebook"),
]:
    _page(_endpoint, _name, _url)

WORKSPACE_DOCS = {
    "GHA draft": "gha_draft",
    "GHA changes requested": "gha_changes",
    "GHA submission": "gha_submitted",
    "published GHA brief": "gha_published",
    "archived GHA brief": "gha_archived",
    "SRB draft": "srb_draft",
    "guidebook draft": "guide_draft",
}


def _workspace_page(name: str, suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/workspace/documents/{w.docs[WORKSPACE_DOCS[name]].id}{suffix}"


for _name in ("GHA draft", "GHA submission", "SRB draft", "published GHA brief", "guidebook draft"):
    _page("workspace.document", _name, _workspace_page(_name))
EDITED = ("GHA draft", "GHA changes requested", "GHA submission", "published GHA brief",
          "archived GHA brief", "guidebook draft")  # fmt: skip
for _name in EDITED:
    _page("workspace.edit", _name, _workspace_page(_name, "/edit"))


def _edit(name: str) -> Builder:
    def build(w: World, actor: str) -> Call:
        doc = new_doc(WORKSPACE_DOCS[name])
        title = f"Edited {uuid.uuid4().hex[:8]}"
        return Call(
            f"/workspace/documents/{doc.id}/edit",
            lambda: document_form(title, doc.version),
            effect=lambda: current(Document, doc.id).title == title,
        )

    return build


for _name in EDITED:
    case("workspace.edit", "POST", _name)(_edit(_name))


def _new(kind_path: str) -> Builder:
    def build(w: World, actor: str) -> Call:
        title = f"New {kind_path} {uuid.uuid4().hex[:8]}"
        return Call(
            f"/workspace/new/{kind_path}",
            lambda: document_form(title),
            effect=lambda: (
                db.session.scalar(select(Document.id).where(Document.title == title)) is not None
            ),
        )

    return build


for _kind_path in ("briefs", "experiences", "guidebook"):
    case("workspace.new", "POST", _kind_path)(_new(_kind_path))

STEPS = {
    "submit a GHA draft": ("gha_draft", "submit", Status.SUBMITTED),
    "request changes to a GHA submission": ("gha_submitted", "request_changes",
                                            Status.CHANGES_REQUESTED),
    "publish a GHA submission": ("gha_submitted", "publish", Status.PUBLISHED),
    "archive a published GHA brief": ("gha_published", "archive", Status.ARCHIVED),
    "publish a guidebook draft": ("guide_draft", "publish", Status.PUBLISHED),
}  # fmt: skip


def _step(name: str) -> Builder:
    spec, step, target = STEPS[name]

    def build(w: World, actor: str) -> Call:
        doc = new_doc(spec)
        return Call(
            f"/workspace/documents/{doc.id}/steps/{step}",
            # "confirm": the reviewer's tick that publishing needs; the other steps ignore it.
            lambda: {"comment": "Please add the 2024 baseline.", "confirm": "y"},
            effect=lambda: current(Document, doc.id).status is target,
        )

    return build


for _name in STEPS:
    case("workspace.step", "POST", _name)(_step(_name))


def _upload(name: str) -> Builder:
    def build(w: World, actor: str) -> Call:
        doc = new_doc(WORKSPACE_DOCS[name])
        return Call(
            f"/workspace/documents/{doc.id}/attachments",
            lambda: {"file": (io.BytesIO(PDF), "report.pdf")},
            effect=lambda: len(current(Document, doc.id).attachments) == 1,
        )

    return build


for _name in ("GHA draft", "GHA submission"):
    case("workspace.upload", "POST", _name)(_upload(_name))


@case("workspace.restore", "POST", "GHA draft")
def _restore(w: World, actor: str) -> Call:
    doc, first = document_with_two_revisions()
    return Call(
        f"/workspace/documents/{doc.id}/revisions/1/restore",
        lambda: {"version": str(doc.version)},
        effect=lambda: current(Document, doc.id).title == first,
    )


@case("accounts.login", "POST")
def _login(w: World, actor: str) -> Call:
    target = account()
    uid, email = target.id, target.email
    return Call(
        "/login",
        lambda: {"email": email, "password": PASSWORD},
        effect=lambda: current(User, uid).last_login_at is not None,
        actor=new_actor(w.app, actor),
    )


@case("accounts.logout", "POST")
def _logout(w: World, actor: str) -> Call:
    session = new_actor(w.app, actor)
    uid = session.user_id
    if uid is None:
        return Call("/logout", actor=session)
    before = current(User, uid).session_version
    return Call(
        "/logout", effect=lambda: current(User, uid).session_version > before, actor=session
    )


def _password_changed(uid: int | None, before: str | None) -> Callable[[], bool] | None:
    if uid is None:
        return None
    return lambda: current(User, uid).password_hash != before


@case("accounts.change_password", "POST")
def _change_password(w: World, actor: str) -> Call:
    session = new_actor(w.app, actor)
    uid = session.user_id
    before = current(User, uid).password_hash if uid else None
    return Call(
        "/account/password",
        lambda: {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        effect=_password_changed(uid, before),
        actor=session,
    )


@case("accounts.request_reset", "POST")
def _request_reset(w: World, actor: str) -> Call:
    return Call("/account/reset", lambda: {"email": w.bystander_email})


def _set_password(purpose: str, url: str, password: str | None) -> Builder:
    def build(w: World, actor: str) -> Call:
        target = account(password=password)
        uid, before = target.id, target.password_hash
        token = tokens.make_token(target, purpose)
        return Call(
            f"{url}/{token}",
            lambda: {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            effect=_password_changed(uid, before),
            actor=new_actor(w.app, actor),
        )

    return build


case("accounts.reset_password", "POST")(_set_password(tokens.RESET, "/account/reset", PASSWORD))
case("accounts.accept_invitation", "POST")(_set_password(tokens.INVITE, "/invitation", None))


@case("accounts.users", "POST")
def _invite(w: World, actor: str) -> Call:
    email = f"invited-{uuid.uuid4().hex[:8]}@example.org"
    return Call(
        "/admin/users",
        lambda: {"email": email, "name": "Invited Person", "role": "focal_point", "country": "GHA"},
        effect=lambda: db.session.scalar(select(User.id).where(User.email == email)) is not None,
    )


@case("accounts.change_role", "POST")
def _change_role(w: World, actor: str) -> Call:
    uid = account().id
    return Call(
        f"/admin/users/{uid}/role",
        lambda: {"role": "editor", "country": ""},
        effect=lambda: current(User, uid).role is Role.EDITOR,
    )


@case("accounts.set_active", "POST")
def _set_active(w: World, actor: str) -> Call:
    uid = account().id
    return Call(
        f"/admin/users/{uid}/active",
        lambda: {"active": "0"},
        effect=lambda: current(User, uid).is_active is False,
    )


@case("accounts.resend_invitation", "POST")
def _resend(w: World, actor: str) -> Call:
    uid = account(password=None).id
    return Call(f"/admin/users/{uid}/invite")
