"""T-09 Route x role matrix: every route in the URL map, called as each of five actors, answers
as the checked-in policy (tests/security/route_policy.yml) says.

The policy is the reviewer's statement of who may do what, written from the rule in
hub/permissions.py, not from what the app does. A route without an entry fails (fail-closed).
Each route is called with concrete objects: a published GHA brief, GHA documents in each status, an
SRB draft, attachments, guidebook sections, accounts to administer. POSTs carry a valid CSRF token
(this is about authorization; T-13 is about CSRF) and write to objects made for that one call, so
calls cannot disturb each other.

This module also holds what T-10, T-11 and T-13 reuse: accounts, actors, the world of documents,
the route cases, the database fingerprint and the write watch.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import itertools
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from hub.accounts import tokens
from hub.accounts.models import Role, User
from hub.documents import revisions
from hub.documents.attachments import attachment_from_file
from hub.documents.models import Area, Attachment, Document, Kind, Status, Visibility
from hub.extensions import db
from tests import factories
from tests.web import csrf_token, login

POLICY_PATH = Path(__file__).with_name("route_policy.yml")
# Each area may keep its routes in its own file: route_policy.d/<area>.yml (same shape), with the
# requests in route_cases_<area>.py (imported at the end of this module).
POLICY_DIR = Path(__file__).with_name("route_policy.d")
ACTORS = ("anonymous", "focal_gha", "focal_srb", "editor", "admin")
ACTOR_ROLES = {
    "focal_gha": (Role.FOCAL_POINT, "GHA"),
    "focal_srb": (Role.FOCAL_POINT, "SRB"),
    "editor": (Role.EDITOR, None),
    "admin": (Role.ADMIN, None),
}
OUTCOMES = ("ok", "login", "forbidden", "not_found")
STATUS_OUTCOMES = {400: "bad_request", 403: "forbidden", 404: "not_found", 409: "conflict"}
PASSWORD = factories.PASSWORD
NEW_PASSWORD = "another long and unusual passphrase 77"
# Fixture accounts carry a cheap scrypt hash so that hundreds of logins stay fast: the login code
# checks whatever parameters a stored hash names. Passwords the app sets itself use full cost.
CHEAP_HASH = "scrypt:1024:8:1"
OWN = "this session's own CSRF token"
PDF = factories.pdf_bytes("A small attachment for the security tests.")

_numbers = itertools.count(1)


# --- accounts and sessions ---


def account(
    role: Role = Role.FOCAL_POINT,
    country_code: str | None = "GHA",
    *,
    password: str | None = PASSWORD,
    commit: bool = True,
) -> User:
    """A user with a unique e-mail address; ``password=None`` is an invited, unset account."""
    n = next(_numbers)
    person = User(
        email=f"sec{n}-{uuid.uuid4().hex[:8]}@example.org",
        name=f"Person {n}",
        role=role,
        country=factories.country(country_code) if role is Role.FOCAL_POINT else None,
        password_hash=generate_password_hash(password, CHEAP_HASH) if password else None,
        is_active=True,
    )
    db.session.add(person)
    if commit:
        db.session.commit()
    return person


class Actor:
    """One browser session: anonymous, or logged in (freshly) as ``user``."""

    def __init__(self, app: Flask, name: str, user: User | None = None):
        self.name = name
        self.client: FlaskClient = app.test_client()
        self.user_id = user.id if user is not None else None
        self.email = user.email if user is not None else None
        if user is not None:
            response = login(self.client, user)
            assert response.status_code == 302, f"{name} ({user.email}) could not log in"
        self._token: str | None = None

    def token(self) -> str:
        """A valid CSRF token of this session (the login page has a form for everyone)."""
        if self._token is None:
            self._token = csrf_token(self.client, "/login")
        return self._token

    def send(
        self, method: str, call: Call, *, csrf: str | None = OWN, headers: dict | None = None
    ) -> Any:
        """Send ``call``; a POST carries this session's CSRF token, ``csrf`` or (None) none."""
        if method == "GET":
            return self.client.get(call.url, headers=headers or {})
        data = dict(call.data())
        if csrf == OWN:
            data["csrf_token"] = self.token()
        elif csrf is not None:
            data["csrf_token"] = csrf
        return self.client.open(call.url, method=method, data=data, headers=headers or {})


def new_actor(app: Flask, name: str) -> Actor:
    """A new session for ``name``: anonymous, or a new account with the same role and country."""
    if name == "anonymous":
        return Actor(app, name)
    role, country = ACTOR_ROLES[name]
    return Actor(app, name, account(role, country))


# --- documents ---


@dataclass(frozen=True)
class Doc:
    id: int
    slug: str
    kind: Kind
    version: int

    @property
    def public_url(self) -> str:
        prefix = {
            Kind.POLICY_BRIEF: "briefs",
            Kind.COUNTRY_EXPERIENCE: "experiences",
            Kind.GUIDEBOOK_SECTION: "guidebook",
        }[self.kind]
        return f"/{prefix}/{self.slug}"


# name -> (kind, country, status, visibility)
DOC_SPECS: dict[str, tuple[Kind, str | None, Status, Visibility]] = {
    "gha_published": (Kind.POLICY_BRIEF, "GHA", Status.PUBLISHED, Visibility.PUBLIC),
    "gha_members": (Kind.POLICY_BRIEF, "GHA", Status.PUBLISHED, Visibility.MEMBERS),
    "gha_draft": (Kind.POLICY_BRIEF, "GHA", Status.DRAFT, Visibility.PUBLIC),
    "gha_changes": (Kind.POLICY_BRIEF, "GHA", Status.CHANGES_REQUESTED, Visibility.PUBLIC),
    "gha_submitted": (Kind.POLICY_BRIEF, "GHA", Status.SUBMITTED, Visibility.PUBLIC),
    "gha_archived": (Kind.POLICY_BRIEF, "GHA", Status.ARCHIVED, Visibility.PUBLIC),
    "srb_draft": (Kind.COUNTRY_EXPERIENCE, "SRB", Status.DRAFT, Visibility.PUBLIC),
    "guide_published": (Kind.GUIDEBOOK_SECTION, None, Status.PUBLISHED, Visibility.PUBLIC),
    "guide_draft": (Kind.GUIDEBOOK_SECTION, None, Status.DRAFT, Visibility.PUBLIC),
}


def new_document(spec: str, *, commit: bool = True, **extra: Any) -> Document:
    kind, country, status, visibility = DOC_SPECS[spec]
    return factories.document(
        kind=kind,
        country_code=country,
        status=status,
        visibility=visibility,
        goals=[9],
        areas=[Area.CAPABILITIES],
        commit=commit,
        **extra,
    )


def ref(doc: Document) -> Doc:
    return Doc(doc.id, doc.slug, doc.kind, doc.version)


def new_doc(spec: str) -> Doc:
    return ref(new_document(spec))


def attach(doc: Document, filename: str, tmp: Path, pdf: bytes = PDF) -> Attachment:
    """Store a real PDF as an attachment of ``doc`` (text left pending; the caller commits)."""
    source = tmp / f"{uuid.uuid4().hex}.pdf"
    source.write_bytes(pdf)
    attachment = attachment_from_file(
        source, filename=filename, position=len(doc.attachments), extract=False
    )
    doc.attachments.append(attachment)
    return attachment


def current(model: type, ident: int) -> Any:
    """The row as the database has it now (after requests made in their own sessions)."""
    db.session.expire_all()
    return db.session.get(model, ident)


def wait_for_extractions(app: Flask) -> None:
    """Uploads extract text in a thread that commits later; wait for all of them."""
    for thread in app.extensions.get("hub_extract_threads", []):
        thread.join(timeout=60)


# --- database state ---


REFERENCE_TABLES = {"sdg_goals", "sdg_targets", "sdg_indicators", "countries", "country_goals"}


def fingerprint(*, reference: bool = True) -> str:
    """A hash over every row of every table (or of all but the reference data), read through a
    fresh connection."""
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if not reference and table.name in REFERENCE_TABLES:
                continue
            digest.update(table.name.encode())
            for row in conn.execute(table.select().order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


class WriteWatch:
    """Notices any committed write between ``mark()`` and ``changed()``.

    On SQLite, ``PRAGMA data_version`` on a connection of its own moves whenever any other
    connection commits; elsewhere the fingerprint of everything but the reference data (which no
    route writes; callers compare the full fingerprint before and after) is compared.
    """

    def __init__(self) -> None:
        url = db.engine.url
        self._conn = None
        if url.get_backend_name() == "sqlite":
            self._conn = sqlite3.connect(url.database)
        self._at: Any = None

    def _probe(self) -> Any:
        if self._conn is not None:
            return self._conn.execute("PRAGMA data_version").fetchone()[0]
        return fingerprint(reference=False)

    def mark(self) -> None:
        self._at = self._probe()

    def changed(self) -> bool:
        return self._probe() != self._at

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


@contextmanager
def write_watch() -> Iterator[WriteWatch]:
    watch = WriteWatch()
    try:
        yield watch
    finally:
        watch.close()


# --- the world every route case draws on ---


# Set-up steps of other areas (route_cases_<area>.py): each makes the objects its GET cases read,
# before any call is watched, so that reading a page never looks like a write by that page.
WORLD_SETUP: list[Callable[[World], None]] = []


class World:
    """Actors with their sessions, and the documents, attachments and accounts routes act on."""

    def __init__(self, app: Flask, tmp: Path):
        self.app, self.tmp = app, tmp
        users = {name: account(*ACTOR_ROLES[name], commit=False) for name in ACTOR_ROLES}
        bystander = account(Role.FOCAL_POINT, "GHA", commit=False)
        invited = account(Role.FOCAL_POINT, "GHA", password=None, commit=False)
        docs = {name: new_document(name, commit=False) for name in DOC_SPECS}
        for name in ("guide_published", "guide_draft"):  # a history to compare
            docs[name].body += "\n\nA second paragraph."
            revisions.record(docs[name], note="second paragraph")
        files = {
            "gha_published": attach(docs["gha_published"], "public-report.pdf", tmp),
            "gha_members": attach(docs["gha_members"], "members-report.pdf", tmp),
            "gha_draft": attach(docs["gha_draft"], "draft-report.pdf", tmp),
        }
        db.session.commit()
        self.user_ids = {name: user.id for name, user in users.items()}
        self.docs = {name: ref(doc) for name, doc in docs.items()}
        self.files = {name: (a.id, a.filename) for name, a in files.items()}
        self.bystander_email = bystander.email
        self.reset_token = tokens.make_token(bystander, tokens.RESET)
        self.invite_token = tokens.make_token(invited, tokens.INVITE)
        self.actors = {"anonymous": Actor(app, "anonymous")}
        self.actors.update({name: Actor(app, name, user) for name, user in users.items()})
        for setup in WORLD_SETUP:
            setup(self)
        db.session.commit()

    def download_url(self, name: str) -> str:
        attachment_id, filename = self.files[name]
        return f"/attachments/{attachment_id}/{filename}"


# --- route cases: one concrete request per (endpoint, method, case) ---


@dataclass
class Call:
    url: str
    data: Callable[[], dict] = dict  # form fields, made anew for each send (files are consumed)
    effect: Callable[[], bool] | None = None  # did the intended change happen?
    actor: Actor | None = None  # a session of its own, for calls that end or replace the session


Builder = Callable[[World, str], Call]
CASES: dict[tuple[str, str, str], Builder] = {}


def case(endpoint: str, method: str, name: str = "") -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        assert (endpoint, method, name) not in CASES
        CASES[(endpoint, method, name)] = builder
        return builder

    return register


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


def document_form(title: str, version: int | str = "", **extra: str) -> dict:
    """The editor form as the page sends it."""
    return {
        "title": title, "summary": "A summary.", "body": "Some **text**.", "language": "en",
        "country": "GHA", "targets": "", "tags": "", "visibility": "public", "parent": "",
        "position": "0", "note": "", "version": str(version), **extra,
    }  # fmt: skip


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


def document_with_two_revisions(spec: str = "gha_draft") -> tuple[Doc, str]:
    """A document whose title changed once; returns it and its first title."""
    doc = new_document(spec)
    first = doc.title
    doc.title = f"{first} (revised)"
    revisions.record(doc, note="revised")
    db.session.commit()
    return ref(doc), first


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


# Requests for the routes of other areas (route_cases_<area>.py), registered with @case.
for _module in sorted(Path(__file__).parent.glob("route_cases_*.py")):
    importlib.import_module(f"{__package__}.{_module.stem}")


# --- the policy and the outcome of a call ---


def load_policy() -> dict[tuple[str, str, str], dict[str, str]]:
    """(endpoint, method, case) -> actor -> outcome. A method maps straight to actors, or to
    named cases when a URL parameter (the object, the step) changes the answer."""
    routes = yaml.safe_load(POLICY_PATH.read_text(encoding="utf-8"))["routes"]
    for extra in sorted(POLICY_DIR.glob("*.yml")):
        more = yaml.safe_load(extra.read_text(encoding="utf-8"))["routes"]
        twice = set(routes) & set(more)
        assert not twice, f"{extra.name}: endpoints already listed elsewhere: {sorted(twice)}"
        routes.update(more)
    policy = {}
    for endpoint, methods in routes.items():
        for method, entry in methods.items():
            if set(entry) <= set(ACTORS):
                policy[(endpoint, method, "")] = entry
            else:
                for name, actors in entry.items():
                    policy[(endpoint, method, name)] = actors
    return policy


def url_map_routes(app: Flask) -> set[tuple[str, str]]:
    """Every (endpoint, method) the app answers, but static files, HEAD and OPTIONS."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def is_login_redirect(response: Any) -> bool:
    if not 300 <= response.status_code < 400:
        return False
    location = urlsplit(response.headers.get("Location", ""))
    return location.path == "/login" and "next" in parse_qs(location.query)


def outcome(response: Any, effect: Callable[[], bool] | None, wrote: bool) -> str:
    """The outcome class of a response: ok (served, or for a POST applied), login, forbidden,
    not_found, bad_request, conflict; "refused" is a redirect after a POST that changed nothing."""
    status = response.status_code
    if is_login_redirect(response):
        result = "login"
    elif status < 400:
        result = "ok" if effect is None or effect() else "refused (redirect, nothing changed)"
    else:
        result = STATUS_OUTCOMES.get(status, f"status {status}")
    if result != "ok" and wrote:
        result += " but wrote to the database"
    return result


def run_call(
    w: World, method: str, key: tuple[str, str, str], actor: str, watch: WriteWatch
) -> str:
    call = CASES[key](w, actor)
    session = call.actor or w.actors[actor]
    watch.mark()
    response = session.send(method, call)
    return outcome(response, call.effect, watch.changed())


# --- the tests ---


def test_every_route_has_a_policy_entry_and_every_entry_a_route(app):
    policy = load_policy()
    listed = {(endpoint, method) for endpoint, method, _ in policy}
    routes = url_map_routes(app)
    unlisted = sorted(routes - listed)
    assert not unlisted, (
        "routes with no entry in tests/security/route_policy.yml; say who may call them: "
        + ", ".join(f"{endpoint} {method}" for endpoint, method in unlisted)
    )
    stale = sorted(listed - routes)
    assert not stale, f"policy entries for routes the app no longer has: {stale}"
    assert set(policy) == set(CASES), (
        f"policy cases without a request in this module: {sorted(set(policy) - set(CASES))}; "
        f"requests without a policy case: {sorted(set(CASES) - set(policy))}"
    )
    for key, actors in policy.items():
        assert set(actors) == set(ACTORS), f"{key}: the policy must name all of {ACTORS}"
        assert set(actors.values()) <= set(OUTCOMES), f"{key}: outcomes are one of {OUTCOMES}"


def test_t09_every_route_answers_each_actor_as_the_policy_says(app, smtp_server, tmp_path):
    smtp_server.configure(app)
    policy = load_policy()
    routes = url_map_routes(app)
    unlisted = routes - {(endpoint, method) for endpoint, method, _ in policy}
    w = World(app, tmp_path)
    calls = [(key, actor, want) for key, actors in policy.items() for actor, want in actors.items()]
    # Refusals first: an accepted upload starts text extraction in a thread, and its later
    # commit must not look like a write by a call that should have been refused.
    calls.sort(key=lambda c: c[2] == "ok")
    mismatches, covered = [], set()
    with write_watch() as watch:
        for key, actor, want in calls:
            got = run_call(w, key[1], key, actor, watch)
            covered.add(key[:2])
            if got != want:
                where = f"{key[0]} {key[1]}" + (f" [{key[2]}]" if key[2] else "")
                mismatches.append(f"{where} as {actor}: policy {want}, got {got}")
    wait_for_extractions(app)
    n = len(routes & covered)
    print(
        f"\nT-09: routes covered {n}/{len(routes)} ({100 * n // len(routes)}%), "
        f"mismatches {len(mismatches)}, unlisted {len(unlisted)} "
        f"({len(calls)} calls: {len(policy)} cases x {len(ACTORS)} actors)"
    )
    for line in mismatches:
        print("  mismatch:", line)
    assert not unlisted and covered >= routes
    assert not mismatches, "\n".join(mismatches)
