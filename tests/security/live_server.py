"""A Hub served by gunicorn with 4 workers on 127.0.0.1, for attacks that need real processes.

Import the fixture into a test module with
``from tests.security.live_server import live_server  # noqa: F401``.

The instance lives in a temporary folder: every ``HUB_*`` setting points there, the schema comes
from ``flask db upgrade`` and accounts from ``flask hub create-user``. Nothing leaves the machine.

``Visitor`` is a small cookie-keeping HTTP client (urllib + http.cookiejar). It can send from any
loopback address (127.0.0.0/8 all reaches the server), so one test can act as several IPs: the
server sees each as a different ``REMOTE_ADDR``.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.web import TOKEN_RE

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4
HEALTH_TIMEOUT_S = 30.0
COMMAND_TIMEOUT_S = 120.0


def _venv_bin(name: str) -> str:
    for folder in (Path(sys.executable).parent, PROJECT_ROOT / ".venv" / "bin"):
        candidate = folder / name
        if candidate.is_file():
            return str(candidate)
    pytest.fail(f"`{name}` not found next to {sys.executable}; install the dev extras")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    folder: Path
    log: Path

    @property
    def database_url(self) -> str:
        return self.env["HUB_DATABASE_URL"]

    @property
    def audit_log(self) -> Path:
        return Path(self.env["HUB_AUDIT_LOG"])

    def flask(self, *args: str) -> str:
        """Run ``flask --app wsgi ARGS`` against this instance; its output, or the test fails."""
        command = [_venv_bin("flask"), "--app", "wsgi", *args]
        try:
            done = subprocess.run(
                command, cwd=PROJECT_ROOT, env=self.env, capture_output=True, text=True,
                timeout=COMMAND_TIMEOUT_S, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail(f"timed out: {' '.join(command)}")
        if done.returncode != 0:
            output = f"{done.stdout}\n{done.stderr}"
            pytest.fail(f"failed (exit {done.returncode}): {' '.join(command)}\n{output}")
        return done.stdout

    def create_user(self, email: str, password: str, *, role: str = "editor") -> None:
        self.flask(
            "hub", "create-user", "--email", email, "--name", email.split("@")[0],
            "--role", role, "--password", password,
        )  # fmt: skip

    def tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"


def _wait_for_health(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer {url} in {HEALTH_TIMEOUT_S:.0f} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A migrated, empty Hub served by ``gunicorn --workers 4`` on a free loopback port."""
    folder = tmp_path_factory.mktemp("hub-live")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        {
            "HUB_DATABASE_URL": f"sqlite:///{folder / 'hub.sqlite'}",
            "HUB_INDEX_DIR": str(folder / "search_index"),
            "HUB_DATA_DIR": str(folder / "data"),
            "HUB_SECRET_KEY": secrets.token_hex(32),
            "HUB_AUDIT_LOG": str(folder / "audit.log"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    port = _free_port()
    log = folder / "gunicorn.log"
    live = LiveServer(url=f"http://127.0.0.1:{port}", env=env, folder=folder, log=log)
    live.flask("db", "upgrade")
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [_venv_bin("gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
             "wsgi:app"],
            cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_for_health(f"{live.url}/health", server, log)
        yield live
    finally:
        server.send_signal(signal.SIGINT)  # quick shutdown: idle workers need no grace period
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _FromAddress(urllib.request.HTTPHandler):
    """Open connections from a chosen loopback address (the server's REMOTE_ADDR)."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def http_open(self, req):
        return self.do_open(http.client.HTTPConnection, req, source_address=(self.source, 0))


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str


class Visitor:
    """One browser: keeps cookies, does not follow redirects, sends from ``source``."""

    def __init__(self, base_url: str, source: str = "127.0.0.1") -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            _FromAddress(source), urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(
        self, method: str, path: str, data: dict | None = None, headers: dict | None = None
    ) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(  # noqa: S310 (loopback http)
            self.base_url + path, data=body, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(req, timeout=30) as response:
                return Answer(response.status, response.headers, response.read().decode())
        except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx and 5xx
            with exc:
                return Answer(exc.code, exc.headers, exc.read().decode(errors="replace"))

    def csrf_token(self, path: str) -> str:
        page = self.request("GET", path)
        match = TOKEN_RE.search(page.body)
        assert match, f"no CSRF token on {path} (status {page.status})"
        return match.group(1) or match.group(2)

    def login(self, email: str, password: str, headers: dict | None = None) -> Answer:
        """Fetch the login form for its token, then post it, as a browser does."""
        data = {"email": email, "password": password, "csrf_token": self.csrf_token("/login")}
        return self.request("POST", "/login", data, headers)
