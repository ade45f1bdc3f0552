"""T-04 cookie flags, T-05 session fixation, T-06 replay after the session should have ended,
T-07 idle and absolute timeouts and fresh-login-only actions."""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from hub import create_app
from hub.accounts.models import Role, User
from hub.accounts.passwords import verify_password
from hub.documents.attachments import attachment_from_file
from hub.documents.models import Document, Kind, Status, Visibility
from hub.extensions import db
from tests import factories
from tests.conftest import RequestScopedClient
from tests.security.route_arguments import route_arguments
from tests.web import csrf_token, login, post

NEW_PASSWORD = "another long passphrase for the hub 77"

# --- T-04 -----------------------------------------------------------------------------------

HTTPS = {"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/"}


@pytest.fixture
def production_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The Hub with HUB_ENV=production: create_app refuses it unless the settings are safe."""
    app = create_app(
        {
            "HUB_ENV": "production",
            "TESTING": False,
            "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "DATA_DIR": str(tmp_path / "data"),
            "AUDIT_LOG": str(tmp_path / "audit.log"),
            "CHECK_INDEX_ON_START": False,
        }
    )
    app.test_client_class = RequestScopedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _https_client(app: Flask):
    client = app.test_client()
    client.environ_base.update(HTTPS)  # behind TLS, as production is; Referer for the CSRF check
    return client


def _crawl_values(tmp_path: Path) -> dict[str, list[dict]]:
    """Argument values for every GET endpoint: real objects, so pages render fully."""
    brief = factories.document(kind=Kind.POLICY_BRIEF)
    experience = factories.document(kind=Kind.COUNTRY_EXPERIENCE)
    section = factories.document(kind=Kind.GUIDEBOOK_SECTION)
    draft = factories.document(status=Status.DRAFT, visibility=Visibility.MEMBERS)
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(factories.pdf_bytes("cookie crawl"))
    attachment = attachment_from_file(pdf, filename="paper.pdf", extract=False)
    brief.attachments.append(attachment)
    db.session.commit()
    return route_arguments(
        brief=brief, experience=experience, section=section, attachment=attachment,
        draft=draft, user_id=None,
    )  # fmt: skip


def _get_urls(app: Flask, values: dict[str, list[dict]]) -> list[str]:
    adapter = app.url_map.bind("localhost")
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if "GET" in (r.methods or ())}
    missing = endpoints - values.keys()
    assert not missing, f"GET routes without crawl values (add them): {sorted(missing)}"
    return [adapter.build(e, v) for e in sorted(endpoints) for v in values[e]]


def _cookie_problems(header: str, app: Flask) -> list[str]:
    name, _, rest = header.partition("=")
    attributes = {}
    for part in rest.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        attributes[key.lower()] = value
    problems = []
    if "secure" not in attributes:
        problems.append("Secure")
    if "httponly" not in attributes:
        problems.append("HttpOnly")
    if attributes.get("samesite", "").lower() not in ("lax", "strict"):
        problems.append("SameSite")
    session_cookies = (app.config["SESSION_COOKIE_NAME"], app.config["REMEMBER_COOKIE_NAME"])
    if name in session_cookies and not (
        name.startswith("__Host-") and attributes.get("path") == "/" and "domain" not in attributes
    ):
        problems.append("__Host-")
    return problems


def test_t04_every_cookie_is_secure_httponly_samesite_and_host_prefixed(production_app, tmp_path):
    app = production_app
    urls = _get_urls(app, _crawl_values(tmp_path))
    actors = {
        "anonymous": None,
        "focal point A": factories.user(role=Role.FOCAL_POINT, country_code="GHA"),
        "focal point B": factories.user(role=Role.FOCAL_POINT, country_code="KEN"),
        "editor": factories.user(role=Role.EDITOR, country_code=None),
        "admin": factories.user(role=Role.ADMIN, country_code=None),
    }
    headers: list[tuple[str, str]] = []  # (what was requested, Set-Cookie)
    statuses = Counter()

    def record(label: str, response) -> None:
        statuses[response.status_code // 100] += 1
        headers.extend((label, h) for h in response.headers.getlist("Set-Cookie"))

    for actor, user in actors.items():
        client = _https_client(app)
        if user is not None:
            record(f"{actor} POST /login", login(client, user, remember=True))
        for url in urls:
            record(f"{actor} GET {url}", client.get(url))
        if user is not None:
            token = csrf_token(client, "/workspace/")
            record(f"{actor} POST /logout", client.post("/logout", data={"csrf_token": token}))

    problems = Counter()
    examples = {}
    for label, header in headers:
        for problem in _cookie_problems(header, app):
            problems[problem] += 1
            examples.setdefault(problem, f"{label}: {header}")
    names = Counter(h.partition("=")[0] for _, h in headers)
    print(
        f"\nT-04: {len(urls)} GET URLs x {len(actors)} actors (+ login with remember-me and "
        f"logout): {sum(statuses.values())} responses {dict(sorted(statuses.items()))}xx, "
        f"{len(headers)} Set-Cookie headers {dict(names)}; missing Secure "
        f"{problems['Secure']}, HttpOnly {problems['HttpOnly']}, SameSite "
        f"{problems['SameSite']}, __Host- {problems['__Host-']}"
    )
    assert statuses[5] == 0
    assert names[app.config["REMEMBER_COOKIE_NAME"]] >= 4  # the crawl did log in and out
    assert sum(problems.values()) == 0, examples


# --- T-05 -----------------------------------------------------------------------------------

ROLES = [(Role.FOCAL_POINT, "GHA"), (Role.EDITOR, None), (Role.ADMIN, None)]


def _cookie(client, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def _replay(app: Flask, url: str, **cookies: str):
    """GET ``url`` from a brand-new client that holds only the given cookie values."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client.get(url)


def _granted(response) -> bool:
    return response.status_code == 200


def test_t05_login_replaces_the_session_and_the_old_cookie_grants_nothing(app):
    equal, granted, cases = 0, 0, 0
    for role, country in ROLES:
        for remember in (False, True):
            user = factories.user(role=role, country_code=country)
            client = app.test_client()
            # The attacker's planted session: it already holds a CSRF token, so it is a cookie.
            token = csrf_token(client, "/login")
            before = _cookie(client, "session")
            assert before, "the login page set no session cookie to fix"
            data = {"email": user.email, "password": factories.PASSWORD, "csrf_token": token}
            if remember:
                data["remember"] = "y"
            assert client.post("/login", data=data).status_code == 302
            after = _cookie(client, "session")
            assert _granted(client.get("/workspace/"))  # the victim is in
            cases += 1
            equal += before == after
            granted += _granted(_replay(app, "/workspace/", session=before))

    print(
        f"\nT-05: {cases} logins (3 roles x remember on/off): pre-login cookie equal to "
        f"post-login {equal}; pre-login cookie granting access after login {granted}"
    )
    assert equal == 0 and granted == 0


# --- T-06 -----------------------------------------------------------------------------------


def _protected_urls(doc: Document) -> list[str]:
    return [
        "/workspace/",
        "/workspace/new/briefs",
        "/admin/users",
        "/account/password",
        f"/workspace/documents/{doc.id}",
    ]


def _replays(app: Flask, urls: list[str], cookies: dict[str, str]) -> int:
    return sum(_granted(_replay(app, url, **cookies)) for url in urls)


def _logged_in_with_remember(app: Flask, user: User):
    client = app.test_client()
    assert login(client, user, remember=True).status_code == 302
    cookies = {n: _cookie(client, n) for n in ("session", "remember_token")}
    assert all(cookies.values()), cookies
    return client, cookies


def _admin_post(app: Flask, admin: User, url: str, data: dict) -> None:
    client = app.test_client()
    login(client, admin)
    response = post(client, url, data, form_url="/admin/users")
    assert response.status_code == 302, response.status_code


def _logout(app, client, user, admin) -> None:
    assert post(client, "/logout", {}, form_url="/workspace/").status_code == 302


def _change_password(app, client, user, admin) -> None:
    other_device = app.test_client()
    login(other_device, user)
    data = {"current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert post(other_device, "/account/password", data).status_code == 302


def _disable(app, client, user, admin) -> None:
    _admin_post(app, admin, f"/admin/users/{user.id}/active", {"active": "0"})


def _downgrade(app, client, user, admin) -> None:
    _admin_post(app, admin, f"/admin/users/{user.id}/role", {"role": "editor", "country": ""})


EVENTS = {
    "logout": _logout,
    "password change": _change_password,
    "account disabled": _disable,
    "role downgraded": _downgrade,
}


def test_t06_captured_cookies_stop_working_after_the_session_ends(app):
    operator = factories.user(role=Role.ADMIN, country_code=None)
    doc = factories.document(status=Status.DRAFT)
    urls = _protected_urls(doc)
    results, before_counts = {}, {}
    for event, perform in EVENTS.items():
        victim = factories.user(role=Role.ADMIN, country_code=None)
        client, cookies = _logged_in_with_remember(app, victim)
        before_counts[event] = _replays(app, urls, cookies)  # they do work until the event
        perform(app, client, victim, operator)
        results[event] = _replays(app, urls, cookies)

    db.session.expire_all()
    print(
        f"\nT-06: replays of captured session + remember_token cookies on {len(urls)} protected "
        f"routes: before the event {sum(before_counts.values())}/{len(EVENTS) * len(urls)} "
        f"succeeded; after it {sum(results.values())}/{len(EVENTS) * len(urls)} "
        f"({', '.join(f'{e} {n}' for e, n in results.items())})"
    )
    assert before_counts == dict.fromkeys(EVENTS, len(urls))
    assert sum(results.values()) == 0, results


def test_t06_remember_cookie_alone_stops_working_after_logout(app):
    victim = factories.user(role=Role.EDITOR, country_code=None)
    client, cookies = _logged_in_with_remember(app, victim)
    remember = {"remember_token": cookies["remember_token"]}
    works_before = _granted(_replay(app, "/workspace/", **remember))

    _logout(app, client, victim, None)

    assert works_before
    assert not _granted(_replay(app, "/workspace/", **remember))


# --- T-07 -----------------------------------------------------------------------------------


class Clock:
    """``time.time`` moved forward on demand; everything else about time stays real."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        real = time.time
        monkeypatch.setattr("hub.accounts.sessions.time.time", lambda: real() + self.offset)

    def advance(self, *, minutes: float = 0, hours: float = 0) -> None:
        self.offset += minutes * 60 + hours * 3600


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_t07_idle_timeout_ends_the_session(app, monkeypatch):
    clock = Clock(monkeypatch)
    idle = app.config["IDLE_TIMEOUT_MINUTES"]
    client = app.test_client()
    login(client, factories.user(role=Role.EDITOR, country_code=None))

    clock.advance(minutes=idle - 1)
    within = client.get("/workspace/")
    clock.advance(minutes=idle - 1)  # active a moment ago: the idle clock restarted
    still = client.get("/workspace/")
    clock.advance(minutes=idle + 1)
    after = client.get("/workspace/")
    again = client.get("/workspace/")

    print(
        f"\nT-07: idle timeout {idle} min: after {idle - 1} min -> {within.status_code}, "
        f"again {idle - 1} min later -> {still.status_code}, after {idle + 1} idle min -> "
        f"{after.status_code} {after.headers.get('Location')}"
    )
    assert within.status_code == 200 and still.status_code == 200
    assert _sent_to_login(after) and _sent_to_login(again)


def test_t07_absolute_lifetime_ends_even_an_active_session(app, monkeypatch):
    clock = Clock(monkeypatch)
    hours = app.config["ABSOLUTE_TIMEOUT_HOURS"]
    step = app.config["IDLE_TIMEOUT_MINUTES"] - 5
    client = app.test_client()
    login(client, factories.user(role=Role.ADMIN, country_code=None))

    active_minutes, answers = 0, []
    while active_minutes + step <= hours * 60:
        clock.advance(minutes=step)
        active_minutes += step
        answers.append(client.get("/workspace/").status_code)
    clock.advance(minutes=hours * 60 - active_minutes + 1)
    after = client.get("/workspace/")

    print(
        f"\nT-07: absolute lifetime {hours} h: {len(answers)} requests every {step} min all "
        f"answered {set(answers)}; at {hours} h 1 min -> {after.status_code} "
        f"{after.headers.get('Location')}"
    )
    assert set(answers) == {200}
    assert _sent_to_login(after)


def _restored_from_remember_me(app: Flask, user: User):
    """A browser that logged in with "keep me logged in", was closed (the session cookie is
    gone) and comes back: only the remember-me cookie is left."""
    client = app.test_client()
    login(client, user, remember=True)
    client.delete_cookie("session")
    return client


FRESH_ONLY_PAGES = ["/account/password", "/admin/users"]


def test_t07_session_restored_from_remember_me_cannot_do_fresh_only_actions(app):
    admin = factories.user(role=Role.ADMIN, country_code=None)
    other = factories.user(role=Role.EDITOR, country_code=None)
    doc = factories.document(status=Status.SUBMITTED)
    page = f"/workspace/documents/{doc.id}"

    # The first request of a restored session, straight at a fresh-only page.
    attempts = {
        f"restored: GET {url}": _restored_from_remember_me(app, admin).get(url)
        for url in FRESH_ONLY_PAGES
    }
    # A restored session is logged in but not fresh: Flask-Login marks it so. Mark a normal
    # session the same way, so the forms' CSRF tokens are valid and only freshness is tested.
    client = app.test_client()
    login(client, admin)
    with client.session_transaction() as session:
        session["_fresh"] = False
    assert client.get("/workspace/").status_code == 200  # still logged in

    def form_post(url: str, data: dict):
        return client.post(url, data={**data, "csrf_token": csrf_token(client, page)})

    attempts |= {
        "non-fresh: GET /account/password": client.get("/account/password"),
        "non-fresh: POST /account/password": form_post(
            "/account/password",
            {"current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ),
        "non-fresh: GET /admin/users": client.get("/admin/users"),
        "non-fresh: POST /admin/users (invite)": form_post(
            "/admin/users", {"email": "new@example.org", "name": "New", "role": "admin"}
        ),
        "non-fresh: POST role change": form_post(
            f"/admin/users/{other.id}/role", {"role": "admin"}
        ),
        "non-fresh: POST disable": form_post(f"/admin/users/{other.id}/active", {"active": "0"}),
        "non-fresh: POST publish": form_post(f"{page}/steps/publish", {"comment": ""}),
        "non-fresh: POST revision restore": form_post(
            f"{page}/revisions/1/restore", {"version": "1"}
        ),
    }
    allowed = [name for name, response in attempts.items() if not _sent_to_login(response)]

    db.session.expire_all()
    changed = {
        "password": not verify_password(db.session.get(User, admin.id).password_hash,
                                        factories.PASSWORD),
        "invited user": db.session.scalar(select(User).where(User.email == "new@example.org"))
        is not None,
        "role": db.session.get(User, other.id).role is not Role.EDITOR,
        "active": not db.session.get(User, other.id).is_active,
        "status": db.session.get(Document, doc.id).status is not Status.SUBMITTED,
    }  # fmt: skip
    print(
        f"\nT-07: configured idle {app.config['IDLE_TIMEOUT_MINUTES']} min, absolute "
        f"{app.config['ABSOLUTE_TIMEOUT_HOURS']} h, remember-me "
        f"{app.config['REMEMBER_COOKIE_DURATION'] // 86400} days; sensitive actions allowed on a "
        f"restored or non-fresh session: {len(allowed)}/{len(attempts)} {allowed}; "
        f"state changed: {[k for k, v in changed.items() if v]}"
    )
    assert allowed == []
    assert not any(changed.values())


def test_remember_me_keeps_the_person_logged_in_after_the_browser_restarts(app):
    user = factories.user(role=Role.EDITOR, country_code=None)
    client = _restored_from_remember_me(app, user)

    pages = [client.get("/workspace/") for _ in range(3)]

    statuses = [(r.status_code, r.headers.get("Location")) for r in pages]
    print(
        f"\nT-07: remember-me, browser restarted: /workspace/ three times -> {statuses}; "
        f"remember cookie still there: {client.get_cookie('remember_token') is not None}"
    )
    assert [r.status_code for r in pages] == [200, 200, 200], (
        "the second request of a session restored from the remember-me cookie is logged out "
        "and the cookie deleted: session_protection='strong' and Flask-Login 0.6.3 does not "
        "store the session identifier ('_id') when it restores from the cookie"
    )
    assert client.get_cookie("remember_token") is not None


def test_t07_fresh_login_can_do_what_the_restored_session_could_not(app):
    # The control for the test above: the same requests work once the admin logs in again.
    admin = factories.user(role=Role.ADMIN, country_code=None)
    doc = factories.document(status=Status.SUBMITTED)
    client = app.test_client()
    login(client, admin, remember=True)
    page = f"/workspace/documents/{doc.id}"

    assert client.get("/account/password").status_code == 200
    assert client.get("/admin/users").status_code == 200
    response = post(client, f"{page}/steps/publish", {"comment": "", "confirm": "y"}, form_url=page)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Document, doc.id).status is Status.PUBLISHED
