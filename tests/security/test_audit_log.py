"""T-33 security event log: each security event is one JSON line (UTC time, user, IP, action,
object, outcome); passwords, session cookies, CSRF and reset tokens never reach it; CR/LF in
user input cannot forge a line."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask

from hub import audit
from hub.accounts.models import Role, User
from hub.accounts.service import ACCOUNT_LIMIT
from hub.documents.models import Document, Status
from hub.extensions import db
from tests import factories
from tests.web import TOKEN_RE, csrf_token, login, post

FIELDS = ("time", "user", "ip", "action", "object", "outcome")
IP = "192.0.2.7"  # every triggering request comes from here; the log must say so
CANARY_PASSWORD = "canary-Zebrafish-7731-passphrase"


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8") if self.path.exists() else ""

    def lines(self) -> list[str]:
        return self.text().splitlines()


@pytest.fixture
def audit_log(app: Flask, tmp_path: Path) -> Iterator[AuditLog]:
    """This test's own log file (the app fixture's default lives in the instance folder)."""
    path = tmp_path / "audit.log"
    app.config["AUDIT_LOG"] = str(path)
    audit.configure(app)
    yield AuditLog(path)
    logger = logging.getLogger(audit.LOGGER_NAME)
    for handler in list(logger.handlers):
        if getattr(handler, "baseFilename", None) == str(path):
            logger.removeHandler(handler)
            handler.close()


def _client(app: Flask):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = IP
    return client


@dataclass
class Expected:
    """The one line an event must produce."""

    action: str
    outcome: str
    user: int | None
    object: str | None = None  # a substring of the logged object; None: any value


@dataclass
class World:
    app: Flask
    admin: User
    editor: User
    focal: User
    submitted: Document
    published: Document
    draft: Document


def _world(app: Flask) -> World:
    return World(
        app=app,
        admin=factories.user(role=Role.ADMIN, country_code=None),
        editor=factories.user(role=Role.EDITOR, country_code=None),
        focal=factories.user(role=Role.FOCAL_POINT, country_code="GHA"),
        submitted=factories.document(status=Status.SUBMITTED),
        published=factories.document(status=Status.PUBLISHED),
        draft=factories.document(status=Status.DRAFT),
    )


def _logged_in(w: World, user: User):
    client = _client(w.app)
    assert login(client, user).status_code == 302
    return client


def _login_success(w: World) -> Expected:
    _logged_in(w, w.editor)
    return Expected("login", "success", w.editor.id)


def _login_failure(w: World) -> Expected:
    response = login(_client(w.app), w.editor, CANARY_PASSWORD)
    assert response.status_code == 401
    return Expected("login", "failure", w.editor.id)


def _lockout(w: World) -> Expected:
    target = factories.user(role=Role.EDITOR, country_code=None)
    client = _client(w.app)
    for _ in range(ACCOUNT_LIMIT):
        assert login(client, target, CANARY_PASSWORD).status_code == 401
    assert login(client, target, CANARY_PASSWORD).status_code == 429
    return Expected("login", "locked_out", None, "email-sha256:")


def _logout(w: World) -> Expected:
    client = _logged_in(w, w.editor)
    assert post(client, "/logout", {}, form_url="/workspace/").status_code == 302
    return Expected("logout", "success", w.editor.id)


def _forbidden(w: World) -> Expected:
    client = _logged_in(w, w.editor)
    assert client.get("/admin/users").status_code == 403  # editors do not manage accounts
    return Expected("forbidden", "denied", w.editor.id, "/admin/users")


def _role_change(w: World) -> Expected:
    client = _logged_in(w, w.admin)
    target = factories.user(role=Role.EDITOR, country_code=None)
    response = post(client, f"/admin/users/{target.id}/role", {"role": "admin", "country": ""},
                    form_url="/admin/users")  # fmt: skip
    assert response.status_code == 302
    return Expected("role_change", "success", w.admin.id, f"user:{target.id}")


def _publish(w: World) -> Expected:
    client = _logged_in(w, w.editor)
    page = f"/workspace/documents/{w.submitted.id}"
    assert post(client, f"{page}/steps/publish", {"confirm": "y"}, form_url=page).status_code == 303
    return Expected("document_publish", "success", w.editor.id, f"document:{w.submitted.id}")


def _archive(w: World) -> Expected:
    client = _logged_in(w, w.editor)
    page = f"/workspace/documents/{w.published.id}"
    assert post(client, f"{page}/steps/archive", {}, form_url=page).status_code == 303
    return Expected("document_archive", "success", w.editor.id, f"document:{w.published.id}")


def _upload_rejected(w: World) -> Expected:
    client = _logged_in(w, w.focal)
    page = f"/workspace/documents/{w.draft.id}"
    data = {"file": (io.BytesIO(b"<html><script>1</script>"), "paper.pdf")}
    data["csrf_token"] = csrf_token(client, page)
    response = client.post(f"{page}/attachments", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    return Expected("upload", "rejected", w.focal.id, f"document:{w.draft.id}")


def _csrf_failure(w: World) -> Expected:
    client = _logged_in(w, w.editor)
    page = f"/workspace/documents/{w.submitted.id}"
    response = client.post(f"{page}/steps/publish", data={"comment": ""})  # no token
    assert response.status_code == 400
    return Expected("csrf", "rejected", w.editor.id)


EVENTS: dict[str, Callable[[World], Expected]] = {
    "login success": _login_success,
    "login failure": _login_failure,
    "lockout": _lockout,
    "logout": _logout,
    "403": _forbidden,
    "role change": _role_change,
    "publish": _publish,
    "archive (unpublish)": _archive,
    "upload rejected": _upload_rejected,
    "CSRF failure": _csrf_failure,
}


def _problems(line: dict, expected: Expected) -> list[str]:
    problems = [f"no '{name}'" for name in FIELDS if name not in line]
    try:
        when = datetime.fromisoformat(line.get("time", ""))
        if when.utcoffset() != timedelta(0):
            problems.append(f"time not UTC: {line['time']}")
    except (TypeError, ValueError):
        problems.append(f"time not ISO 8601: {line.get('time')!r}")
    if line.get("ip") != IP:
        problems.append(f"ip {line.get('ip')!r}, not {IP}")
    if line.get("user") != expected.user:
        problems.append(f"user {line.get('user')!r}, not {expected.user!r}")
    if expected.object is not None and expected.object not in str(line.get("object")):
        problems.append(f"object {line.get('object')!r} lacks {expected.object!r}")
    return problems


def _check(log: AuditLog, before: int, expected: Expected) -> str | None:
    """None when exactly one new line records the event completely; else what is wrong."""
    new = [json.loads(raw) for raw in log.lines()[before:]]
    matching = [
        n
        for n in new
        if n.get("action") == expected.action and n.get("outcome") == expected.outcome
    ]
    if len(matching) != 1:
        seen = [(n.get("action"), n.get("outcome")) for n in new]
        return f"{len(matching)} lines for {expected.action}/{expected.outcome} (new lines: {seen})"
    problems = _problems(matching[0], expected)
    return "; ".join(problems) if problems else None


def test_t33_every_security_event_is_one_complete_json_line(app, audit_log):
    world = _world(app)
    failures = {}
    for name, trigger in EVENTS.items():
        before = len(audit_log.lines())
        expected = trigger(world)
        db.session.expire_all()
        problem = _check(audit_log, before, expected)
        if problem:
            failures[name] = problem

    logged = len(EVENTS) - len(failures)
    print(
        f"\nT-33: security events logged as one complete JSON line: {logged}/{len(EVENTS)} "
        f"({', '.join(EVENTS)}; there is no delete: documents are archived)"
        + (f"; missing or incomplete: {failures}" if failures else "")
    )
    assert failures == {}


def test_admin_can_make_an_editor_a_focal_point_and_it_is_logged(app, audit_log):
    admin = factories.user(role=Role.ADMIN, country_code=None)
    target = factories.user(role=Role.EDITOR, country_code=None)
    client = _client(app)
    login(client, admin)

    response = post(client, f"/admin/users/{target.id}/role",
                    {"role": "focal_point", "country": "KEN"}, form_url="/admin/users")  # fmt: skip

    db.session.expire_all()
    changed = db.session.get(User, target.id)
    actions = [json.loads(line)["action"] for line in audit_log.lines()]
    assert response.status_code == 302, (
        f"{response.status_code}: change_role() sets the role before looking up the country, "
        "and that query autoflushes a focal point without a country (CHECK constraint)"
    )
    assert changed.role is Role.FOCAL_POINT and changed.country.iso3 == "KEN"
    assert actions.count("role_change") == 1


# --- secrets -------------------------------------------------------------------------------


def _remember_secrets(client, page_html: str, into: set[str]) -> None:
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie and cookie.value:
            into.add(cookie.value)
    for match in TOKEN_RE.finditer(page_html):
        into.add(match.group(1) or match.group(2))


def test_t33_no_password_cookie_or_token_reaches_the_log(app, audit_log, smtp_server):
    smtp_server.configure(app)
    user = factories.user(role=Role.ADMIN, country_code=None)
    secrets: set[str] = set()
    client = _client(app)
    # Failed login with the canary as password, then a good one with remember-me.
    login(client, user, CANARY_PASSWORD)
    _remember_secrets(client, client.get("/login").get_data(as_text=True), secrets)
    login(client, user, remember=True)
    _remember_secrets(client, client.get("/workspace/").get_data(as_text=True), secrets)
    # Password change: first with the canary as the wrong current password, then to the canary.
    for current in (CANARY_PASSWORD, factories.PASSWORD):
        data = {"current": current, "password": CANARY_PASSWORD, "confirm": CANARY_PASSWORD}
        post(client, "/account/password", data)
        _remember_secrets(client, client.get("/workspace/").get_data(as_text=True), secrets)
    # A CSRF failure carrying a token from another session.
    stranger = _client(app)
    foreign = csrf_token(stranger, "/login")
    secrets.add(foreign)
    client.post("/logout", data={"csrf_token": foreign})
    # A password reset: the link's token must not be logged either.
    post(_client(app), "/account/reset", {"email": user.email})
    [mail] = smtp_server.wait_for(1)
    reset_token = re.search(r"/account/reset/(\S+)", mail.get_content()).group(1)
    secrets.add(reset_token)
    post(_client(app), f"/account/reset/{reset_token}",
         {"password": factories.PASSWORD, "confirm": factories.PASSWORD})  # fmt: skip

    text = audit_log.text()
    found = sorted(s[:12] + "..." for s in {CANARY_PASSWORD, *secrets} if s in text)
    actions = [json.loads(line)["action"] for line in text.splitlines()]
    print(
        f"\nT-33: {len(actions)} log lines ({', '.join(sorted(set(actions)))}); canary password, "
        f"{len(secrets)} session/remember cookie values, CSRF and reset tokens found in the log: "
        f"{len(found)}"
    )
    assert {"login", "password_change", "csrf"} <= set(actions)
    assert actions.count("password_set") == 2  # the change and the reset both went through
    assert found == []


# --- forging -------------------------------------------------------------------------------

FORGED = '"}\r\n{"time": "2020-01-01T00:00:00+00:00", "action": "forged", "outcome": "success"}'


def test_t33_cr_lf_in_user_input_cannot_forge_a_log_line(app, audit_log):
    admin = factories.user(role=Role.ADMIN, country_code=None)
    doc = factories.document(status=Status.SUBMITTED)
    client = _client(app)
    login(client, admin)
    # A new account whose name carries a line break and a fake JSON record.
    post(client, "/admin/users",
         {"email": "crlf@example.org", "name": f"Mallory{FORGED}", "role": "editor"})  # fmt: skip
    created = db.session.query(User).filter_by(email="crlf@example.org").one_or_none()
    # Log-in names and form paths carry it too (failure, lockout and CSRF lines log them).
    attacker = _client(app)
    attacker.environ_base["REMOTE_ADDR"] = "192.0.2.50"
    for _ in range(ACCOUNT_LIMIT + 1):
        post(attacker, "/login", {"email": f"mallory{FORGED}@example.org", "password": "x"})
    client.post(f"/workspace/documents/{doc.id}/steps/publish{quote(FORGED)}", data={})
    client.post("/logout", data={"csrf_token": FORGED})

    lines = audit_log.lines()
    parsed, not_json = [], []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        (parsed if isinstance(record, dict) else not_json).append(record or line)
    forged = [r for r in parsed if r.get("action") == "forged"]
    print(
        f"\nT-33: {len(lines)} log lines after CR/LF in a user name, a login name, a URL and a "
        f"CSRF token: not one JSON object {len(not_json)}, forged lines {len(forged)}"
    )
    assert created is not None and "\n" in created.name  # the name really went in
    assert {r.get("action") for r in parsed} >= {"user_create", "login", "csrf"}
    assert not_json == [] and forged == []
