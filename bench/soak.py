"""Soak and load over loopback (T-38): many users against gunicorn on SQLite, for minutes.

The production layout of one host (README, "Running on PostgreSQL with gunicorn"), on SQLite:
``gunicorn -w 4 wsgi:app``, ``flask hub follow`` (the index's only writer) and ``flask hub worker``,
each a real process. Simulated users, each a thread with its own cookies, do a weighted mix:

- 60% search (``/search?q=`` with one or two words from the published titles),
- 30% view (a published brief, experience or guidebook section),
- 10% edit: a logged-in focal point opens the editor of their own draft and saves it,

with a think time between actions. Measured: requests, p50/p95 latency per kind, errors (any
unexpected status or a failed connection), "database is locked" in any process's log, the summed
RSS of the gunicorn workers (read from /proc every 2 s; growth is from the end of the warm-up to
the end of the run), and ``flask hub check-index`` once the follower has applied every change.

The load generator is a few threads of the standard library rather than locust: it needs no
gevent or ZeroMQ in the lock, and the short version in tests/test_soak.py imports it directly.

    nice -n 10 .venv/bin/python bench/soak.py                  # 50 users, 10 minutes, 4 workers
    SOAK_SECONDS=120 nice -n 10 .venv/bin/python bench/soak.py # shorter
    .venv/bin/python bench/soak.py --users 10 --seconds 60 --workers 2

Exit status 1 when a target is missed: errors > 0, "database is locked" > 0, RSS growth >= 10%,
or the index check not clean.

Measured (50 users, 600 s, 4 workers, nice 10, 2 cores shared with other jobs: load average about
20 throughout): 10,870 requests (18.1/s, so the host was saturated and latency is mostly queueing),
p50 1.78 s, p95 2.73 s (search 1.73/2.65 s, view 1.86/2.80 s, save 1.87/2.83 s); errors 0;
"database is locked" 0; workers' RSS 393.5 MiB at the first sample, +0.4% from the end of the
60 s warm-up to the end, no worker restarted; check-index: missing 0, extra 0, stale 0, pending 0.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import select  # noqa: E402

BIN = Path(sys.executable).parent
MIX = (("search", 60), ("view", 30), ("edit", 10))
PASSWORD = "quartz-meadow-7391-lantern"  # noqa: S105 - a throwaway account in a temporary database
LOCKED = "database is locked"
RSS_EVERY = 2.0


# --- the site: accounts, drafts, and what the users will ask for ---


@dataclass
class Plan:
    """What the simulated users do: pages to view, words to search, and for each focal point
    their e-mail and the drafts they edit (one per user, so no two users edit the same one)."""

    views: list[str]
    words: list[str]
    focal_points: list[str]
    drafts: list[tuple[int, int]]  # (focal point index, document id), one per user


def prepare(app: Flask, *, users: int, focal_points: int) -> Plan:
    """Create the focal points and one draft per user (through the Hub's own services), and list
    the published documents and the words of their titles."""
    from hub.accounts import service as accounts
    from hub.accounts.models import Role
    from hub.documents.editing import DocumentInput, create
    from hub.documents.models import Document, Kind, Status, Visibility
    from hub.extensions import db
    from hub.templating import document_url

    countries = ["GHA", "SRB", "KEN", "MEX", "IND", "PHL", "ETH", "UKR"]
    emails, drafts = [], []
    with app.app_context():
        people = []
        for i in range(focal_points):
            email = f"soak-focal-{i}@example.org"
            person = accounts.create_user(
                email=email, name=f"Soak focal point {i}", role=Role.FOCAL_POINT,
                country_iso3=countries[i % len(countries)], by=None,
            )  # fmt: skip
            accounts.set_password(person, PASSWORD, reason="soak")
            people.append(person)
            emails.append(email)
        for u in range(users):
            owner = u % focal_points
            doc = create(
                Kind.POLICY_BRIEF,
                DocumentInput(
                    title=f"Soak draft {u}",
                    summary="A draft edited again and again by the soak test.",
                    body="Science, technology and innovation roadmap draft.\n",
                ),
                by=people[owner],
            )
            drafts.append((owner, doc.id))
        published = db.session.scalars(
            select(Document).where(
                Document.status == Status.PUBLISHED, Document.visibility == Visibility.PUBLIC
            )
        ).all()
        with app.test_request_context():
            views = [document_url(d) for d in published]
        words = sorted({w.lower() for d in published for w in re.findall(r"[A-Za-z]{4,}", d.title)})
        db.session.remove()
    if not views:
        raise SystemExit("no published document to view: load some content first")
    return Plan(views=views, words=words or ["science"], focal_points=emails, drafts=drafts)


def environment(database_url: str, folder: Path, **extra: str) -> dict[str, str]:
    """The settings every process of the host gets (no HUB_* variable of the caller leaks in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_DATABASE_URL=database_url,
        HUB_INDEX_DIR=str(folder / "index"),
        HUB_DATA_DIR=str(folder / "data"),
        HUB_AUDIT_LOG=str(folder / "audit.log"),
        HUB_JOBS_SQLITE_PATH=str(folder / "jobs.sqlite"),
        HUB_SECRET_KEY=secrets.token_hex(32),
        HUB_INDEX_HOST="soak",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def build_site(folder: Path) -> dict[str, str]:
    """A fresh SQLite site as `make setup` builds it: migrations, reference data, content/."""
    env = environment(f"sqlite:///{folder / 'hub.sqlite'}", folder)
    for command in (
        ["db", "upgrade"],
        ["hub", "load-reference"],
        ["hub", "load-content", "content/"],
    ):
        subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *command],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
    return env


def app_for(env: dict[str, str]) -> Flask:
    """An app in this process on the same database and folders, to set the site up."""
    from hub import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["HUB_DATABASE_URL"],
            "SEARCH_INDEX_DIR": env["HUB_INDEX_DIR"],
            "DATA_DIR": env["HUB_DATA_DIR"],
            "AUDIT_LOG": env["HUB_AUDIT_LOG"],
            "JOBS_SQLITE_PATH": env["HUB_JOBS_SQLITE_PATH"],
            "SECRET_KEY": env["HUB_SECRET_KEY"],
            "CHECK_INDEX_ON_START": False,
        }
    )


# --- the host's processes ---


@dataclass
class Host:
    base: str
    master: subprocess.Popen
    others: list[subprocess.Popen]
    logs: list[Path]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def host(env: dict[str, str], folder: Path, *, workers: int) -> Iterator[Host]:
    """gunicorn with ``workers`` workers, the index follower and the job worker, until the block
    ends; then SIGTERM to each and a wait."""
    port = free_port()
    commands = {
        "gunicorn": [str(BIN / "gunicorn"), "--workers", str(workers), "--bind",
                     f"127.0.0.1:{port}", "--timeout", "120", "--no-control-socket", "wsgi:app"],
        "follow": [str(BIN / "flask"), "--app", "wsgi", "hub", "follow"],
        "worker": [str(BIN / "flask"), "--app", "wsgi", "hub", "worker"],
    }  # fmt: skip
    processes, logs = [], []
    for name, command in commands.items():
        log = folder / f"{name}.log"
        logs.append(log)
        with log.open("ab") as out:
            processes.append(
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            )
    running = Host(f"http://127.0.0.1:{port}", processes[0], processes[1:], logs)
    try:
        deadline = time.monotonic() + 60
        while _health(running.base) != 200:
            if time.monotonic() > deadline or running.master.poll() is not None:
                raise RuntimeError(f"gunicorn did not answer:\n{logs[0].read_text()[-3000:]}")
            time.sleep(0.2)
        yield running
    finally:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the master's children, from /proc."""
    children = []
    for task in Path(f"/proc/{master}/task").glob("*/children"):
        children += [int(p) for p in task.read_text().split()]
    return sorted(children)


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# --- HTTP, by hand: cookies kept per user whatever their Secure flag (this is plain loopback) ---


def _health(base: str) -> int:
    try:
        return get(base, "/health")[0]
    except OSError:
        return 0


def get(base: str, path: str, cookies: dict[str, str] | None = None) -> tuple[int, str, str]:
    return request(base, "GET", path, cookies=cookies)


def request(
    base: str,
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    form: list[tuple[str, str]] | None = None,
) -> tuple[int, str, str]:
    """(status, Location, body); the user's cookies are sent and updated from Set-Cookie."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        if cookies is not None:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                if value and "max-age=0" not in header.lower():
                    cookies[name.strip()] = value
                else:
                    cookies.pop(name.strip(), None)
        return response.status, response.headers.get("Location", ""), text
    finally:
        conn.close()


class Forms(HTMLParser):
    """Every form of a page, as the (name, value) pairs a browser would send without any button."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._select: tuple[str, bool, list[str], str | None] | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append([])
        elif not self.forms or "name" not in a:
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.forms[-1].append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""
        elif tag == "select":
            self._select = (a["name"], "multiple" in a, [], None)

    def _option(self, a: dict[str, str]) -> None:
        name, multiple, chosen, first = self._select
        value = a.get("value", "")
        if "selected" in a:
            chosen.append(value)
        self._select = (name, multiple, chosen, value if first is None else first)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            self.forms[-1].append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, multiple, chosen, first = self._select
            values = chosen or ([] if multiple or first is None else [first])
            self.forms[-1] += [(name, v) for v in (values if multiple else values[:1])]
            self._select = None


def form_with(page: str, field_name: str) -> list[tuple[str, str]]:
    parser = Forms()
    parser.feed(page)
    for form in parser.forms:
        if any(name == field_name for name, _ in form):
            return form
    raise ValueError(f"no form with a {field_name!r} field on the page")


def log_in(base: str, email: str) -> dict[str, str]:
    cookies: dict[str, str] = {}
    status, _, page = get(base, "/login", cookies)
    fields = [(k, v) for k, v in form_with(page, "password") if k not in {"email", "password"}]
    fields += [("email", email), ("password", PASSWORD)]
    status, location, page = request(base, "POST", "/login", cookies=cookies, form=fields)
    if status != 302:
        raise RuntimeError(f"login of {email} answered {status}: {page[:500]}")
    return cookies


# --- the load ---


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, status: int, expected: int, note: str = "") -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[status] += 1
            if status != expected:
                self.errors.append(f"{kind}: {status} (expected {expected}) {note[:300]}")

    def fail(self, note: str) -> None:
        with self.lock:
            self.errors.append(note)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())


class User(threading.Thread):
    def __init__(self, number: int, base: str, plan: Plan, sessions: list[dict[str, str]],
                 results: Results, until: float, think: float) -> None:  # fmt: skip
        super().__init__(name=f"soak-user-{number}", daemon=True)
        self.base, self.plan, self.results = base, plan, results
        self.until, self.think = until, think
        owner, self.draft = plan.drafts[number]
        self.cookies = dict(sessions[owner])  # a copy: each user's session evolves on its own
        self.random = random.Random(number)
        self.edits = 0

    def timed(self, kind: str, method: str, path: str, expected: int, **kw) -> tuple[int, str, str]:
        started = time.perf_counter()
        try:
            status, location, text = request(self.base, method, path, **kw)
        except OSError as exc:
            self.results.record(kind, time.perf_counter() - started, 0, expected, repr(exc))
            return 0, "", ""
        note = f"{method} {path}: {text[:300]}" if status != expected else ""
        self.results.record(kind, time.perf_counter() - started, status, expected, note)
        return status, location, text

    def run(self) -> None:
        kinds, weights = zip(*MIX, strict=True)
        while time.monotonic() < self.until:
            kind = self.random.choices(kinds, weights)[0]
            if kind == "search":
                words = self.random.sample(self.plan.words, k=min(len(self.plan.words), 2))
                query = " ".join(words[: self.random.choice((1, 1, 2))])
                self.timed("search", "GET", "/search?" + urlencode({"q": query}), 200)
            elif kind == "view":
                self.timed("view", "GET", self.random.choice(self.plan.views), 200)
            else:
                self.edit()
            time.sleep(self.random.uniform(0.5, 1.5) * self.think)

    def edit(self) -> None:
        path = f"/workspace/documents/{self.draft}/edit"
        status, _, page = self.timed("edit-open", "GET", path, 200, cookies=self.cookies)
        if status != 200:
            return
        self.edits += 1
        fields = [(k, v) for k, v in form_with(page, "body") if k not in {"body", "note"}]
        fields += [
            ("body", f"Science, technology and innovation roadmap draft.\n\nEdit {self.edits}.\n"),
            ("note", f"soak edit {self.edits}"),
            ("save", "1"),
        ]
        status, location, _ = self.timed(
            "edit-save", "POST", path, 302, cookies=self.cookies, form=fields
        )
        if status == 302 and not location.endswith(f"/workspace/documents/{self.draft}"):
            # Saved is a redirect to the document; one to the login page is a lost session.
            self.results.fail(f"edit-save: redirected to {location}")


def run_load(base: str, plan: Plan, *, users: int, seconds: float, think: float) -> Results:
    sessions = [log_in(base, email) for email in plan.focal_points]
    results = Results()
    until = time.monotonic() + seconds
    crowd = [User(n, base, plan, sessions, results, until, think) for n in range(users)]
    for user in crowd:
        user.start()
    for user in crowd:
        user.join(timeout=seconds + 300)
    return results


@dataclass
class Soak:
    results: Results
    seconds: float
    rss: list[tuple[float, int, tuple[int, ...]]]  # (seconds since start, KiB, worker pids)
    locked: int
    check_exit: int
    check_output: str

    @property
    def index_clean(self) -> bool:
        return self.check_exit == 0 and "missing 0, extra 0, stale 0, changes pending 0" in (
            self.check_output
        )

    def rss_growth(self, warmup: float) -> float:
        """Growth of the workers' summed RSS from the end of the warm-up to the end (median of
        three samples at each end)."""
        after = [kib for t, kib, _ in self.rss if t >= warmup] or [kib for _, kib, _ in self.rss]
        if len(after) < 2:
            return 0.0
        first = statistics.median(after[:3])
        last = statistics.median(after[-3:])
        return (last - first) / first

    @property
    def worker_restarts(self) -> int:
        return len({pids for _, _, pids in self.rss}) - 1 if self.rss else 0


def soak(
    env: dict[str, str], folder: Path, plan: Plan, *, users: int, seconds: float, workers: int,
    think: float = 1.0,
) -> Soak:  # fmt: skip
    """Run the host, put the load on it while sampling RSS, then let the follower catch up and
    check the index."""
    samples: list[tuple[float, int, tuple[int, ...]]] = []
    with host(env, folder, workers=workers) as running:
        done = threading.Event()
        started = time.monotonic()

        def sample() -> None:
            while not done.is_set():
                pids = tuple(worker_pids(running.master.pid))
                samples.append((time.monotonic() - started, sum(map(rss_kib, pids)), pids))
                done.wait(RSS_EVERY)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        results = run_load(running.base, plan, users=users, seconds=seconds, think=think)
        done.set()
        sampler.join()
        check = check_index_when_caught_up(env)
    locked = sum(log.read_text(errors="replace").count(LOCKED) for log in running.logs)
    return Soak(results, seconds, samples, locked, check.returncode, check.stdout + check.stderr)


def check_index_when_caught_up(
    env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess:
    """`flask hub check-index` once the follower has applied every change (or the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "hub", "check-index"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if "changes pending 0" in done.stdout or time.monotonic() > deadline:
            return done
        time.sleep(1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def report(result: Soak, warmup: float) -> list[str]:
    r = result.results
    everything = [s for v in r.latencies.values() for s in v]
    lines = [
        f"requests {r.requests} in {result.seconds:.0f} s ({r.requests / result.seconds:.1f}/s)"
    ]
    for kind in sorted(r.latencies):
        v = r.latencies[kind]
        lines.append(
            f"  {kind:<10} {len(v):>7}  p50 {percentile(v, 0.5) * 1000:7.0f} ms  "
            f"p95 {percentile(v, 0.95) * 1000:7.0f} ms  max {max(v) * 1000:7.0f} ms"
        )
    lines.append(
        f"  all        {len(everything):>7}  p50 {percentile(everything, 0.5) * 1000:7.0f} ms  "
        f"p95 {percentile(everything, 0.95) * 1000:7.0f} ms"
    )
    rate = len(r.errors) / r.requests if r.requests else 0.0
    lines.append(
        f"errors {len(r.errors)} ({rate:.2%}); statuses {dict(sorted(r.statuses.items()))}"
    )
    lines += [f"  {e}" for e in r.errors[:10]]
    lines.append(f'"{LOCKED}" in the logs: {result.locked}')
    if result.rss:
        first, last = result.rss[0][1], result.rss[-1][1]
        lines.append(
            f"workers' RSS: {first / 1024:.1f} MiB at start, {last / 1024:.1f} MiB at the end; "
            f"growth after a {warmup:.0f} s warm-up {result.rss_growth(warmup):+.1%}; "
            f"worker restarts {result.worker_restarts}"
        )
    lines.append(f"check-index (exit {result.check_exit}): {result.check_output.strip()}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 600)))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--focal-points", type=int, default=5)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between actions (s)")
    parser.add_argument("--keep", action="store_true", help="keep the site's folder and logs")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hub-soak-"))
    warmup = min(60.0, args.seconds / 10)
    print(
        f"T-38 soak: {args.users} users (60% search, 30% view, 10% edit), {args.seconds:.0f} s, "
        f"gunicorn {args.workers} workers, SQLite, {os.cpu_count()} cores; site in {folder}"
    )
    env = build_site(folder)
    plan = prepare(app_for(env), users=args.users, focal_points=args.focal_points)
    result = soak(
        env, folder, plan, users=args.users, seconds=args.seconds, workers=args.workers,
        think=args.think,
    )  # fmt: skip
    for line in report(result, warmup):
        print(line)
    missed = [
        name
        for name, bad in (
            ("errors", bool(result.results.errors)),
            ("database is locked", result.locked > 0),
            ("RSS growth", result.rss_growth(warmup) >= 0.10),
            ("index check", not result.index_clean),
        )
        if bad
    ]
    print("targets missed: " + (", ".join(missed) if missed else "none"))
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
