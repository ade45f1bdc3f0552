"""T-18 download headers and T-31 security headers on every response.

T-18 fetches every attachment URL, including the PDF/HTML polyglot and the /OpenAction PDF that
T-17 lets through (they are PDFs by content): each must come back as a download the browser cannot
sniff, render as HTML or run script in. (Opening them in Chromium belongs to tests/browser.)

T-31 crawls every rule in ``app.url_map`` with GET, as the public, a focal point and an admin, plus
the error statuses (400, 401, 403, 404, 405, 413, 429, 500), and checks the headers of each
response. The crawl is fail-closed: a new route without sample arguments here fails the test.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from hub import create_app, ratelimit
from hub.accounts.models import Role
from hub.accounts.service import ACCOUNT_AT_ADDRESS, ACCOUNT_LIMIT
from hub.documents.attachments import attachment_from_file
from hub.documents.models import Attachment, Document, Kind, Status, Visibility
from hub.extensions import db
from tests import factories
from tests.security.pdf_corpus import plain_pdf, upload, upload_corpus
from tests.security.route_arguments import route_arguments
from tests.web import csrf_token, login

# The T-17 PDFs whose download is the risk: active content, and a name that reads backwards.
T18_SAMPLES = {"pdf-html-polyglot", "pdf-openaction-js", "name-rtl-override"}


def csp_directives(header: str | None) -> dict[str, list[str]]:
    """``Content-Security-Policy`` as {directive: [sources]} (names lower-cased)."""
    out: dict[str, list[str]] = {}
    for part in (header or "").split(";"):
        words = part.split()
        if words:
            out.setdefault(words[0].lower(), words[1:])
    return out


# --- T-18 ------------------------------------------------------------------------------------


@dataclass
class Site:
    """Documents in every state a download can come from, with their attachments."""

    draft: Document
    published: Document
    members: Document
    focal_point: object
    attachments: list[Attachment] = field(default_factory=list)


def _publishable(visibility: Visibility, title: str) -> Document:
    return factories.document(status=Status.PUBLISHED, visibility=visibility, title=title)


@pytest.fixture
def site(app: Flask) -> Site:
    return Site(
        draft=factories.document(status=Status.DRAFT, country_code="GHA", title="Ghana draft"),
        published=_publishable(Visibility.PUBLIC, "Public brief"),
        members=_publishable(Visibility.MEMBERS, "Members brief"),
        focal_point=factories.user(role=Role.FOCAL_POINT, country_code="GHA"),
    )


def _attach(app: Flask, site: Site, tmp_path: Path) -> list[Attachment]:
    """The risky PDFs of the T-17 corpus on the draft, uploaded by the focal point through the
    form; one plain PDF on each published document."""
    focal = app.test_client()
    login(focal, site.focal_point)
    for sample in upload_corpus():
        if sample.name in T18_SAMPLES:
            assert upload(focal, site.draft.id, sample).status_code == 303
    for doc in (site.published, site.members):  # set up directly: no need for the route here
        source = tmp_path / f"report-{doc.id}.pdf"
        source.write_bytes(plain_pdf())
        doc.attachments.append(
            attachment_from_file(source, filename="annual-report.pdf", extract=False)
        )
    db.session.commit()
    db.session.expire_all()
    return list(db.session.scalars(db.select(Attachment).order_by(Attachment.id)))


def _download_problems(response: TestResponse) -> list[str]:
    problems = []
    disposition = response.headers.get("Content-Disposition", "")
    if not disposition.startswith("attachment"):
        problems.append(f"Content-Disposition {disposition!r}")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if response.headers.get("Content-Type") != "application/pdf":
        problems.append(f"Content-Type {response.headers.get('Content-Type')!r}")
    csp = csp_directives(response.headers.get("Content-Security-Policy"))
    if csp.get("default-src") != ["'none'"] or csp.get("sandbox") != []:
        problems.append(f"CSP {response.headers.get('Content-Security-Policy')!r}")
    return problems


def test_every_attachment_is_served_as_a_sandboxed_pdf_download(
    app: Flask, site: Site, tmp_path: Path
):
    attachments = _attach(app, site, tmp_path)
    anonymous = app.test_client()
    focal = app.test_client()
    login(focal, site.focal_point)
    readers = {"anonymous": anonymous, "focal point": focal}

    fetched, violations = 0, []
    for attachment in attachments:
        url = f"/attachments/{attachment.id}/{attachment.filename}"
        for who, client in readers.items():
            response = client.get(url)
            if response.status_code == 404:  # this reader may not see it (draft, members only)
                continue
            fetched += 1
            assert response.status_code == 200, (who, url, response.status_code)
            assert response.data == Path(
                app.config["DATA_DIR"], "attachments", attachment.stored_name[:2],
                attachment.stored_name,
            ).read_bytes()  # fmt: skip
            violations += [f"{who} {url}: {p}" for p in _download_problems(response)]
    public_links = anonymous.get(f"/briefs/{site.published.slug}").get_data(as_text=True)
    linked = sum(f"/attachments/{a.id}/" in public_links for a in attachments)

    print(
        f"T-18: attachment responses {fetched} ({len(attachments)} files incl. polyglot and "
        f"/OpenAction, as anonymous and focal point; {linked} linked from the public page); "
        f"violations (disposition/nosniff/type/CSP sandbox) = {len(violations)}"
    )
    assert violations == []
    assert fetched >= len(attachments) and linked == 1


# --- T-31 ------------------------------------------------------------------------------------


@dataclass
class Seen:
    """One response of the crawl."""

    who: str
    method: str
    url: str
    status: int
    headers: dict[str, str]

    @property
    def label(self) -> str:
        return f"{self.who} {self.method} {self.url} -> {self.status}"


def _route_arguments(site: dict) -> dict[str, list[dict]]:
    return route_arguments(
        brief=site["brief"], experience=site["experience"], section=site["section"],
        attachment=site["attachment"], draft=site["draft"], user_id=site["user_id"],
    )  # fmt: skip


def _boom() -> str:
    raise RuntimeError("T-31 deliberate failure")


@pytest.fixture
def crawl_site(app: Flask, tmp_path: Path) -> dict:
    app.add_url_rule("/t31-boom", "t31_boom", _boom)
    brief = factories.document(kind=Kind.POLICY_BRIEF, title="Public brief")
    experience = factories.document(kind=Kind.COUNTRY_EXPERIENCE, title="An experience")
    section = factories.document(kind=Kind.GUIDEBOOK_SECTION, title="A guidebook section")
    draft = factories.document(status=Status.DRAFT, country_code="GHA", title="Ghana draft")
    focal_point = factories.user(role=Role.FOCAL_POINT, country_code="GHA")
    admin = factories.user(role=Role.ADMIN)
    source = tmp_path / "report.pdf"
    source.write_bytes(plain_pdf())
    brief.attachments.append(attachment_from_file(source, filename="report.pdf", extract=False))
    db.session.commit()
    attachment = brief.attachments[0]
    return {
        "brief": brief, "experience": experience, "section": section, "draft": draft,
        "attachment": attachment, "user_id": focal_point.id,
        "users": {"focal point": focal_point, "admin": admin},
    }  # fmt: skip


def _record(seen: list[Seen], who: str, method: str, url: str, response: TestResponse) -> None:
    seen.append(Seen(who, method, url, response.status_code, dict(response.headers)))


def crawl(app: Flask, site: dict) -> list[Seen]:
    """GET every route as each actor, then provoke each error status; every response kept."""
    arguments = _route_arguments(site)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "t31_boom"]
    missing = sorted({r.endpoint for r in rules} - set(arguments))
    assert missing == [], f"routes with no sample arguments in the T-31 crawl: {missing}"
    adapter = app.url_map.bind("localhost")
    urls = [adapter.build(r.endpoint, args) for r in rules for args in arguments[r.endpoint]]

    clients: dict[str, FlaskClient] = {"anonymous": app.test_client()}
    for who, user in site["users"].items():
        clients[who] = app.test_client()
        login(clients[who], user)

    seen: list[Seen] = []
    for who, client in clients.items():
        for url in sorted(set(urls)):
            _record(seen, who, "GET", url, client.get(url))
        for url in ("/no-such-page", "/briefs/no-such-brief", "/t31-boom"):
            _record(seen, who, "GET", url, client.get(url))
        _record(seen, who, "GET", "/logout", client.get("/logout"))  # 405
        _record(seen, who, "POST", "/health", client.post("/health"))  # 405

    anonymous = clients["anonymous"]
    # 400: a form posted without its CSRF token
    _record(seen, "anonymous", "POST", "/login", anonymous.post("/login", data={"email": "x"}))
    # 401: a wrong password
    token = csrf_token(anonymous, "/login")
    wrong = {"csrf_token": token, "email": "nobody@example.org", "password": "wrong password 1"}
    _record(seen, "anonymous", "POST", "/login", anonymous.post("/login", data=wrong))
    # 429: the account is locked after too many failures from this address
    for _ in range(ACCOUNT_LIMIT):
        ratelimit.record(ACCOUNT_AT_ADDRESS, ratelimit.key_of("127.0.0.1", "locked@example.org"))
    db.session.commit()
    locked = {**wrong, "email": "locked@example.org"}
    _record(seen, "anonymous", "POST", "/login", anonymous.post("/login", data=locked))
    # 413: a body over MAX_CONTENT_LENGTH
    saved = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    for who in ("anonymous", "focal point"):
        response = clients[who].post(
            f"/workspace/documents/{site['draft'].id}/attachments",
            data={"file": (io.BytesIO(b"%PDF-" + bytes(4096)), "big.pdf")},
            content_type="multipart/form-data",
        )
        _record(seen, who, "POST", "/workspace/.../attachments", response)
    app.config["MAX_CONTENT_LENGTH"] = saved
    return seen


def _missing_headers(seen: Seen) -> list[str]:
    csp = csp_directives(seen.headers.get("Content-Security-Policy"))
    problems = []
    if not csp:
        problems.append("CSP")
    if seen.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("nosniff")
    if not seen.headers.get("Referrer-Policy"):
        problems.append("Referrer-Policy")
    if csp.get("frame-ancestors") not in (["'none'"], ["'self'"]):
        problems.append("frame-ancestors")
    return problems


def _statuses(seen: list[Seen]) -> str:
    return ",".join(str(s) for s in sorted({s.status for s in seen}))


def test_every_response_carries_the_security_headers(app: Flask, crawl_site: dict):
    seen = crawl(app, crawl_site)
    missing = {name: [] for name in ("CSP", "nosniff", "Referrer-Policy", "frame-ancestors")}
    for response in seen:
        for name in _missing_headers(response):
            missing[name].append(response.label)
    routes = len({r.rule for r in app.url_map.iter_rules()}) - 1
    print(
        f"T-31: responses {len(seen)} over {routes} routes x 3 actors + errors (statuses "
        f"{_statuses(seen)}); missing "
        + " / ".join(f"{name} {len(labels)}" for name, labels in missing.items())
        + "".join(f"\n  no {n}: {sorted(set(labels))}" for n, labels in missing.items() if labels)
    )
    assert {500, 404, 405, 413, 400, 401, 429, 403, 200, 302} <= {s.status for s in seen}
    assert missing == {name: [] for name in missing}


def test_responses_to_logged_in_users_are_not_cached(app: Flask, crawl_site: dict):
    seen = [s for s in crawl(app, crawl_site) if s.who != "anonymous"]
    cached = [
        s.label
        for s in seen
        if "no-store" not in s.headers.get("Cache-Control", "")
        or "cookie" not in s.headers.get("Vary", "").lower()
    ]
    print(
        f"T-31: authenticated responses {len(seen)} (statuses {_statuses(seen)}); without "
        f"Cache-Control: no-store and Vary: Cookie = {len(cached)} {cached}"
    )
    assert cached == []


def test_page_csp_allows_no_inline_script_plugins_or_base_rewrites(app: Flask, crawl_site: dict):
    pages = [
        s
        for s in crawl(app, crawl_site)
        if s.headers.get("Content-Type", "").startswith("text/html")
    ]
    bad = []
    for page in pages:
        csp = csp_directives(page.headers.get("Content-Security-Policy"))
        script = csp.get("script-src", csp.get("default-src", []))
        if "'unsafe-inline'" in script or "'unsafe-eval'" in script or "*" in script:
            bad.append(f"{page.label}: script-src {script}")
        if csp.get("object-src", csp.get("default-src")) != ["'none'"]:
            bad.append(f"{page.label}: object-src {csp.get('object-src')}")
        if csp.get("base-uri") != ["'none'"]:
            bad.append(f"{page.label}: base-uri {csp.get('base-uri')}")
    sample = pages[0].headers.get("Content-Security-Policy") if pages else None
    print(
        f"T-31: HTML responses {len(pages)}; CSP with unsafe script-src, or without "
        f"object-src 'none' / base-uri 'none' = {len(bad)}; CSP: {sample}"
    )
    assert pages and bad == []


def test_https_responses_in_production_carry_hsts(database_url: str, tmp_path: Path):
    app = create_app(
        {
            "HUB_ENV": "production",
            "SECRET_KEY": "production-secret-key-of-at-least-32-bytes-0123",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "DATA_DIR": str(tmp_path / "data"),
            "CHECK_INDEX_ON_START": False,
        }
    )
    client = app.test_client()
    urls = ["/", "/login", "/health", "/no-such-page", "/static/hub.css"]
    responses = {url: client.get(url, base_url="https://hub.example.org") for url in urls}
    without = [url for url, r in responses.items() if "Strict-Transport-Security" not in r.headers]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    print(f"T-31: production HTTPS responses without Strict-Transport-Security = {len(without)}/"
          f"{len(urls)} {without}")  # fmt: skip
    assert without == []
