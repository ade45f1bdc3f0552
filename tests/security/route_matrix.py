"""The machinery of the route x role matrix (T-09) and of the tests that reuse it (T-10, T-11,
T-13): accounts, actors with their sessions, the world of documents every route case draws on,
the ``@case`` registry, the database fingerprint and write watch, the policy and the outcome of
a call.

The policy (tests/security/route_policy.yml and route_policy.d/*.yml) is the reviewer's
statement of who may do what, written from the rule in hub/permissions.py, not from what the app
does. Each route is called with concrete objects: a published GHA brief, GHA documents in each
status, an SRB draft, attachments, guidebook sections, accounts to administer. POSTs carry a
valid CSRF token (this is about authorization; T-13 is about CSRF) and write to objects made for
that one call, so calls cannot disturb each other.

The requests themselves are in route_cases_<area>.py; tests/security/route_cases.py imports them
all. Nothing here imports a route case or a test module, so no import goes in a circle.
"""

from __future__ import annotations

import hashlib
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
# requests in route_cases_<area>.py (all imported by route_cases.py).
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


# --- helpers the route cases and other security tests share ---


def document_form(title: str, version: int | str = "", **extra: str) -> dict:
    """The editor form as the page sends it."""
    return {
        "title": title, "summary": "A summary.", "body": "Some **text**.", "language": "en",
        "country": "GHA", "targets": "", "tags": "", "visibility": "public", "parent": "",
        "position": "0", "note": "", "version": str(version), **extra,
    }  # fmt: skip


def document_with_two_revisions(spec: str = "gha_draft") -> tuple[Doc, str]:
    """A document whose title changed once; returns it and its first title."""
    doc = new_document(spec)
    first = doc.title
    doc.title = f"{first} (revised)"
    revisions.record(doc, note="revised")
    db.session.commit()
    return ref(doc), first


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
