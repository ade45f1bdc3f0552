"""T-25 ``kill -9`` during writes: gunicorn with 4 workers is SIGKILLed, master and workers at
once, at a random moment while loopback clients save, upload and publish; then it starts again.

Each round: start gunicorn, run the load (focal points create and update drafts and attach PDFs,
a Secretariat editor creates, submits and publishes briefs), kill the process group when a
random number of requests has been sent, check the database with the server down, start again
and let its start-up reconciliation bring the index in step. Figures, over all rounds:

* acknowledged writes lost (a 302/303 success whose change is not in the database): must be 0;
* ``PRAGMA integrity_check`` ok N/N;
* attachments whose bytes fail the sha256 stored in the database (or whose file is missing): 0;
* files in the attachment store that no row references (orphans; reported, not swept here);
* index check missing / extra after start-up reconciliation: 0/0.

    .venv/bin/python bench/crash_drill.py                      # 20 rounds x 1,000 requests
    .venv/bin/python bench/crash_drill.py --rounds 3 --requests 200 --seed 7

Measured (seed 25, shared 2-core machine at load average 14 to 36, 58 min): 20 rounds, 12,767
actions sent (a round ends at its kill, after 241 to 851), acknowledged writes lost 0,
integrity_check ok 20/20, checksum failures 0, orphans 0, index missing/extra 0/0, outcome
unknown (cut by the kill) 99.

tests/security/test_kill_during_writes.py runs 2 short rounds through the same code. It lowers
its own priority (nice 10): the machine is shared.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import http.cookiejar
import itertools
import os
import random
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "a long and unusual drill passphrase 42"  # noqa: S105 (a throwaway instance)
WORKERS = 4
HEALTH_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 30.0
CHECK_TIMEOUT_S = 60.0  # liveness: the follower's start-up check and catch-up
TOKEN_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
VERSION_RE = re.compile(r'name="version" (?:type="hidden" )?value="(\d+)"')
DOC_RE = re.compile(r"/workspace/documents/(\d+)$")


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the instance ---


@dataclass
class Instance:
    folder: Path
    env: dict[str, str]
    port: int = field(default_factory=_free_port)
    server: subprocess.Popen | None = None
    follower: subprocess.Popen | None = None

    @property
    def database(self) -> Path:
        return self.folder / "hub.sqlite"

    @property
    def attachments(self) -> Path:
        return self.folder / "data" / "attachments"

    def start(self) -> None:
        log = open(self.folder / "gunicorn.log", "ab")  # noqa: SIM115 (kept by the process)
        self.server = subprocess.Popen(
            [_bin("gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{self.port}",
             "--timeout", "60", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        # The host's index follower (docs/deployment.md): web workers never write the index; its
        # start-up check is the reconciliation after a crash.
        self.follower = subprocess.Popen(
            [_bin("flask"), "--app", "wsgi", "hub", "follow"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer in {HEALTH_TIMEOUT_S:.0f} s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL the master, every worker and the follower at once (each group whole)."""
        for process in (self.server, self.follower):
            if process is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        for process in (self.server, self.follower):
            if process is not None:
                process.wait(timeout=30)
        self.server = self.follower = None

    def tail(self, chars: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return (self.folder / "gunicorn.log").read_text(errors="replace")[-chars:]
        return ""


def prepare(folder: Path, *, template: Path | None = None, focal_points: int = 4) -> Instance:
    """An instance in ``folder`` with a migrated database holding reference data (copied from
    ``template`` when given), ``focal_points`` focal points of Ghana and one editor."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_DATABASE_URL=f"sqlite:///{folder / 'hub.sqlite'}",
        HUB_INDEX_DIR=str(folder / "index"),
        HUB_DATA_DIR=str(folder / "data"),
        HUB_SECRET_KEY=secrets.token_hex(32),
        HUB_AUDIT_LOG=str(folder / "audit.log"),
        PYTHONUNBUFFERED="1",
    )
    instance = Instance(folder, env)
    if template is not None:
        import shutil

        shutil.copyfile(template, instance.database)
    _set_up(instance, template is None, focal_points)
    return instance


def _app(instance: Instance):
    """An app on the instance's files in this process, for set-up and checks; it never
    applies the change log itself (the follower does)."""
    from hub import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": instance.env["HUB_DATABASE_URL"],
            "SEARCH_INDEX_DIR": instance.env["HUB_INDEX_DIR"],
            "DATA_DIR": instance.env["HUB_DATA_DIR"],
            "SECRET_KEY": instance.env["HUB_SECRET_KEY"],
            "AUDIT_LOG": instance.env["HUB_AUDIT_LOG"],
            "INDEX_FOLLOW": "thread",
            "CHECK_INDEX_ON_START": False,
        }
    )


def _set_up(instance: Instance, migrate: bool, focal_points: int) -> None:
    from flask_migrate import upgrade

    from hub.accounts.models import Role, User
    from hub.accounts.passwords import hash_password
    from hub.countries.models import Country
    from hub.extensions import db

    app = _app(instance)
    with app.app_context():
        if migrate:
            from hub.countries.reference import load_countries
            from hub.sdg.reference import load_sdgs

            upgrade()
            load_sdgs(ROOT / "content" / "reference" / "sdg")
            load_countries(ROOT / "content" / "reference" / "m49_regions.csv")
        ghana = db.session.scalar(db.select(Country).where(Country.iso3 == "GHA"))
        digest = hash_password(PASSWORD)
        for n in range(focal_points):
            person = User(email=f"fp{n}@example.org", name=f"Focal point {n}",
                          role=Role.FOCAL_POINT, country=ghana, password_hash=digest)  # fmt: skip
            db.session.add(person)
        db.session.add(User(email="editor@example.org", name="Editor", role=Role.EDITOR,
                            password_hash=digest))  # fmt: skip
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


# --- a small browser ---


class Down(Exception):
    """The server did not answer (killed): the request's outcome is unknown."""


@dataclass
class Answer:
    status: int
    location: str
    body: str


class Browser:
    """Cookies, CSRF tokens and multipart uploads over http.client, from its own loopback
    address (so login rate limits see different clients)."""

    def __init__(self, port: int, source: str) -> None:
        self.port, self.source, self.cookies = port, source, http.cookiejar.CookieJar()
        self.token = ""

    def request(self, method: str, path: str, body: bytes = b"", content_type: str = "") -> Answer:
        import urllib.request

        url = f"http://127.0.0.1:{self.port}{path}"
        fake = urllib.request.Request(url, method=method)
        self.cookies.add_cookie_header(fake)
        headers = dict(fake.header_items())
        if content_type:
            headers["Content-Type"] = content_type
        try:
            conn = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S, source_address=(self.source, 0)
            )
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            data = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as exc:
            raise Down(str(exc)) from None
        finally:
            conn.close()

        class _Info:  # what CookieJar.extract_cookies reads
            def __init__(self, msg):
                self._msg = msg

            def info(self):
                return self._msg

        self.cookies.extract_cookies(_Info(response.msg), fake)
        return Answer(response.status, response.getheader("Location") or "", data)

    def form(self, path: str, fields: dict[str, str]) -> Answer:
        body = urllib.parse.urlencode({"csrf_token": self.token, **fields}).encode()
        return self.request("POST", path, body, "application/x-www-form-urlencoded")

    def upload(self, path: str, filename: str, data: bytes) -> Answer:
        boundary = uuid.uuid4().hex
        parts = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                f'{self.token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request("POST", path, parts, f"multipart/form-data; boundary={boundary}")

    def follow(self, answer: Answer) -> str:
        """GET the redirect target as a browser would (it shows, and so clears, the flashes)."""
        path = urllib.parse.urlsplit(answer.location).path
        return self.request("GET", path).body

    def login(self, email: str) -> None:
        self.token = TOKEN_RE.search(self.request("GET", "/login").body).group(1)
        answer = self.form("/login", {"email": email, "password": PASSWORD})
        if answer.status not in (302, 303):
            raise RuntimeError(f"login of {email} failed: {answer.status}")
        self.token = TOKEN_RE.search(self.request("GET", "/workspace/new/briefs").body).group(1)


# --- the load ---


@dataclass
class Ledger:
    """What the server acknowledged: the changes that must survive the kill."""

    created: dict[int, str] = field(default_factory=dict)  # doc id -> title
    updated: dict[int, int] = field(default_factory=dict)  # doc id -> last acknowledged rev
    uploaded: dict[str, int] = field(default_factory=dict)  # filename -> doc id
    published: set[int] = field(default_factory=set)
    sent: int = 0
    unknown: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _draft(title: str, body: str) -> dict[str, str]:
    return {"title": title, "summary": "Written during the crash drill.", "body": body,
            "language": "en", "country": "GHA", "visibility": "public"}  # fmt: skip


def _pdf(label: str, size: int) -> bytes:
    text = f"BT /F1 12 Tf 72 720 Td ({label}) Tj ET".encode()
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> "
            b"endobj\n4 0 obj << /Length " + str(len(text)).encode() + b" >> stream\n" + text
            + b"\nendstream endobj\n%" + os.urandom(size) + b"\n%%EOF\n")  # fmt: skip


class Author(threading.Thread):
    """One person's session; every change goes to documents this thread made, so the last
    acknowledged update of each is well defined."""

    def __init__(self, name: str, browser: Browser, ledger: Ledger, budget, rng, editor=False):
        super().__init__(daemon=True, name=name)
        self.browser, self.ledger, self.budget, self.rng = browser, ledger, budget, rng
        self.editor, self.docs, self.revs = editor, [], {}
        self.serial = itertools.count()

    def run(self) -> None:
        while self.budget.take():
            try:
                self.step()
            except Down:
                with self.ledger.lock:
                    self.ledger.unknown += 1
            with self.ledger.lock:
                self.ledger.sent += 1

    def step(self) -> None:
        roll = self.rng.random()
        if self.editor:
            self.publish_new()
        elif not self.docs or roll < 0.3:
            self.create()
        elif roll < 0.4:
            self.attach()
        else:
            self.update()

    def create(self) -> int | None:
        title = f"{self.name} draft {next(self.serial)}"
        answer = self.browser.form("/workspace/new/briefs", _draft(title, "rev 0"))
        match = DOC_RE.search(answer.location) if answer.status in (302, 303) else None
        if match is None:
            return None
        doc_id = int(match.group(1))
        with self.ledger.lock:
            self.ledger.created[doc_id] = title
        self.docs.append(doc_id)
        self.revs[doc_id] = (title, 0)
        self.browser.follow(answer)
        return doc_id

    def update(self) -> None:
        doc_id = self.rng.choice(self.docs)
        title, rev = self.revs[doc_id]
        page = self.browser.request("GET", f"/workspace/documents/{doc_id}/edit").body
        version = VERSION_RE.search(page)
        if version is None:
            return
        fields = _draft(title, f"rev {rev + 1}") | {"version": version.group(1), "note": ""}
        answer = self.browser.form(f"/workspace/documents/{doc_id}/edit", fields)
        self.revs[doc_id] = (title, rev + 1)  # sent: a later read may see it even if not acked
        if answer.status in (302, 303):
            with self.ledger.lock:
                self.ledger.updated[doc_id] = rev + 1
            self.browser.follow(answer)

    def attach(self) -> None:
        doc_id = self.rng.choice(self.docs)
        name = f"{self.name}-{next(self.serial)}.pdf"
        answer = self.browser.upload(
            f"/workspace/documents/{doc_id}/attachments", name, _pdf(name, self.rng.randrange(
                20_000, 400_000))
        )  # fmt: skip
        if answer.status in (302, 303) and 'class="flash error"' not in self.browser.follow(answer):
            with self.ledger.lock:
                self.ledger.uploaded[name] = doc_id

    def publish_new(self) -> None:
        doc_id = self.create()
        if doc_id is None:
            return
        for step, extra in (("submit", {}), ("publish", {"confirm": "y"})):
            answer = self.browser.form(f"/workspace/documents/{doc_id}/steps/{step}", extra)
            if answer.status not in (302, 303) or 'class="flash error"' in self.browser.follow(
                answer
            ):
                return
        with self.ledger.lock:
            self.ledger.published.add(doc_id)


# --- the checks ---


@dataclass
class RoundResult:
    sent: int
    killed_after: int
    lost: list[str]
    integrity: str
    checksum_failures: int
    orphans: int
    index_missing: int
    index_extra: int
    unknown: int


def check_database(instance: Instance, ledger: Ledger) -> tuple[list[str], str, int, int]:
    """With the server down: acknowledged changes missing, integrity_check, attachments whose
    bytes fail their stored sha256 (or are missing), orphan files."""
    lost: list[str] = []
    with contextlib.closing(sqlite3.connect(instance.database)) as conn:
        (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
        docs = {i: (t, b, s) for i, t, b, s in conn.execute(
            "SELECT id, title, body, status FROM documents")}  # fmt: skip
        rows = conn.execute("SELECT document_id, filename, stored_name, sha256 FROM attachments")
        attachments = [(d, f, n, h) for d, f, n, h in rows]
    for doc_id, title in ledger.created.items():
        if docs.get(doc_id, ("",))[0] != title:
            lost.append(f"created document {doc_id}")
    for doc_id, rev in ledger.updated.items():
        body = docs.get(doc_id, ("", ""))[1]
        if not body.startswith("rev ") or int(body.split()[1]) < rev:
            lost.append(f"update rev {rev} of document {doc_id} (found {body[:12]!r})")
    stored = {(d, f) for d, f, _n, _h in attachments}
    for name, doc_id in ledger.uploaded.items():
        if (doc_id, name) not in stored:
            lost.append(f"attachment {name}")
    for doc_id in ledger.published:
        if docs.get(doc_id, ("", "", ""))[2] != "published":
            lost.append(f"publication of document {doc_id}")
    failures = 0
    for _doc, _name, stored_name, digest in attachments:
        path = instance.attachments / stored_name[:2] / stored_name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            failures += 1
    referenced = {n for _d, _f, n, _h in attachments}
    on_disk = [p for p in instance.attachments.rglob("*") if p.is_file()]
    orphans = sum(1 for p in on_disk if p.name not in referenced)
    return lost, integrity, failures, orphans


def check_index(instance: Instance) -> tuple[int, int]:
    """Index missing/extra once the restarted follower's start-up check has run: it catches up
    in the background, so ask until the check is clean or time is up."""
    from hub.extensions import db
    from hub.search import indexing

    app = _app(instance)
    deadline = time.monotonic() + CHECK_TIMEOUT_S
    with app.app_context():
        try:
            while True:
                report = indexing.check()
                db.session.rollback()
                if report.ok or time.monotonic() > deadline:
                    return len(report.missing), len(report.extra)
                time.sleep(0.2)
        finally:
            db.session.remove()
            db.engine.dispose()


# --- the drill ---


class Budget:
    """Requests left in a round, shared by the authors' threads."""

    def __init__(self, requests: int) -> None:
        self.left, self.lock = requests, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left >= 0

    def close(self) -> None:
        with self.lock:
            self.left = 0


def run_round(instance: Instance, browsers: list[Browser], requests: int, rng: random.Random):
    """One round against a running server: load, kill at a random moment, check."""
    ledger = Ledger()
    kill_at = rng.randrange(requests // 5, requests)
    feeds = Budget(requests)
    authors = [
        Author(
            f"t{i}", b, ledger, feeds, random.Random(rng.random()), editor=i == len(browsers) - 1
        )
        for i, b in enumerate(browsers)
    ]
    for author in authors:
        author.start()
    while ledger.sent < kill_at and any(a.is_alive() for a in authors):
        time.sleep(0.005)
    killed_after = ledger.sent
    instance.kill()
    feeds.close()  # the round ends with the kill
    for author in authors:
        author.join(timeout=REQUEST_TIMEOUT_S * 4)
    lost, integrity, failures, orphans = check_database(instance, ledger)
    instance.start()
    missing, extra = check_index(instance)
    return RoundResult(ledger.sent, killed_after, lost, integrity, failures, orphans,
                       missing, extra, ledger.unknown), ledger  # fmt: skip


def logged_in_browsers(instance: Instance, focal_points: int = 4) -> list[Browser]:
    """One session per focal point and one for the editor (the last), each from its own
    loopback address; sessions outlive restarts (the secret key stays)."""
    emails = [f"fp{n}@example.org" for n in range(focal_points)] + ["editor@example.org"]
    browsers = [Browser(instance.port, f"127.0.0.{10 + n}") for n in range(len(emails))]
    for browser, email in zip(browsers, emails, strict=True):
        browser.login(email)
    return browsers


def drill(instance: Instance, rounds: int, requests: int, seed: int, say=print) -> list:
    """``rounds`` rounds of ``requests`` each; the server is left running, then stopped."""
    rng = random.Random(seed)
    instance.start()
    results = []
    try:
        browsers = logged_in_browsers(instance)
        for number in range(1, rounds + 1):
            result, _ledger = run_round(instance, browsers, requests, rng)
            results.append(result)
            say(f"round {number}: {result}")
    finally:
        instance.kill()
    return results


def summary(results: list) -> str:
    n = len(results)
    return (
        f"T-25 kill -9 during writes, {n} rounds, {sum(r.sent for r in results)} requests "
        f"(killed after {', '.join(str(r.killed_after) for r in results)}): acknowledged writes "
        f"lost {sum(len(r.lost) for r in results)}; integrity_check ok "
        f"{sum(r.integrity == 'ok' for r in results)}/{n}; attachments failing their checksum "
        f"{sum(r.checksum_failures for r in results)}; orphan files (last round) "
        f"{results[-1].orphans if results else 0}; index missing/extra after start-up "
        f"{sum(r.index_missing for r in results)}/{sum(r.index_extra for r in results)}; "
        f"outcome unknown (connection cut) {sum(r.unknown for r in results)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()
    os.nice(10)
    with tempfile.TemporaryDirectory(prefix="crash-drill-") as tmp:
        instance = prepare(Path(tmp))
        started = time.perf_counter()
        results = drill(instance, args.rounds, args.requests, args.seed)
        print(summary(results))
        print(f"({time.perf_counter() - started:.0f} s) reproduce: .venv/bin/python "
              f"bench/crash_drill.py --rounds {args.rounds} --requests {args.requests} "
              f"--seed {args.seed}")  # fmt: skip
        lost = [item for r in results for item in r.lost]
        for item in lost[:20]:
            print(f"  lost: {item}")
        bad = lost or any(r.integrity != "ok" or r.checksum_failures for r in results)
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
