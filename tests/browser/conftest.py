"""Real-browser tests: the Hub served by gunicorn, driven by Debian's headless Chromium.

A session fixture builds a fresh instance in a temporary folder (migrations, reference data,
``content/``), serves it with ``gunicorn --workers 2`` on a free local port and yields its URL.
Nothing here downloads a browser: Playwright drives ``/usr/bin/chromium``.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.browser.setup_commands import PROJECT_ROOT, run_setup

try:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright
except ImportError as exc:  # pragma: no cover - a set-up problem, reported clearly
    raise ImportError(
        "Playwright's Python package is missing: run .venv/bin/pip install -e '.[dev]'. "
        "(Do not run `playwright install`; these tests drive /usr/bin/chromium.)"
    ) from exc


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
HEALTH_TIMEOUT_S = 30.0


def _venv_bin(name: str) -> Path:
    """A console script next to the running interpreter (.venv/bin when run as make does)."""
    for folder in (Path(sys.executable).parent, PROJECT_ROOT / ".venv" / "bin"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    pytest.fail(
        f"`{name}` not found next to {sys.executable} nor in {PROJECT_ROOT / '.venv/bin'}; "
        "install the dev extras: .venv/bin/pip install -e '.[dev]'"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


def _wait_for_health(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"gunicorn exited with code {server.returncode} before answering /health:\n"
                f"{_tail(log)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local http)
                if response.status == 200:
                    return
                last_error = f"status {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = repr(exc)
        time.sleep(0.2)
    pytest.fail(
        f"gunicorn did not answer {url} within {HEALTH_TIMEOUT_S:.0f} s ({last_error}):\n"
        + _tail(log)
    )


@pytest.fixture(scope="session")
def hub_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for the Hub's subprocesses: every HUB_* setting points into a temp folder."""
    tmp = tmp_path_factory.mktemp("hub-browser")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        {
            "HUB_DATABASE_URL": f"sqlite:///{tmp / 'hub.sqlite'}",
            "HUB_INDEX_DIR": str(tmp / "search_index"),
            "HUB_DATA_DIR": str(tmp / "data"),
            "HUB_SECRET_KEY": secrets.token_hex(32),  # 64 hex characters
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _start_background(env: dict[str, str], log: Path) -> list[subprocess.Popen]:
    """What runs next to gunicorn on every production host (docs/deployment.md): this host's
    index follower (``flask hub follow``: requests never write the index) and a job worker
    (``flask hub worker``: text extraction and mail run from the instance's SQLite queue)."""
    processes = []
    for command in ("follow", "worker"):
        with log.with_name(f"{command}.log").open("wb") as log_file:
            processes.append(
                subprocess.Popen(
                    [str(_venv_bin("flask")), "--app", "wsgi", "hub", command],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )  # fmt: skip
            )
    return processes


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def hub_url(hub_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (no trailing slash) of a fully loaded Hub served by gunicorn with two workers."""
    flask = str(_venv_bin("flask"))
    gunicorn = str(_venv_bin("gunicorn"))
    started = time.monotonic()
    run_setup([flask, "--app", "wsgi", "db", "upgrade"], hub_env)
    run_setup([flask, "--app", "wsgi", "hub", "load-reference"], hub_env)
    run_setup([flask, "--app", "wsgi", "hub", "load-content", "content/"], hub_env)
    loaded = time.monotonic()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=hub_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    background = _start_background(hub_env, log)
    try:
        _wait_for_health(f"{base}/health", server, log)
        print(
            f"\n[hub] set-up {loaded - started:.1f} s, gunicorn ready in "
            f"{time.monotonic() - loaded:.1f} s at {base} (log: {log})"
        )
        yield base
    finally:
        for process in background:
            _stop(process)
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium); "
            "these tests never download a browser"
        )
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@dataclass
class Problems:
    """What went wrong in the browser while a test ran, each entry tagged with the page URL."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    # Chromium asks every origin for /favicon.ico by itself and logs a console error when it is
    # missing. Kept apart so that one missing icon does not hide every other console error; the
    # favicon has a test of its own.
    favicon_errors: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.console_errors.clear()
        self.page_errors.clear()
        self.csp_violations.clear()
        self.favicon_errors.clear()

    def any(self) -> bool:
        return bool(self.console_errors or self.page_errors or self.csp_violations)

    def report(self) -> str:
        lines = []
        for name in ("csp_violations", "console_errors", "page_errors"):
            for entry in getattr(self, name):
                lines.append(f"{name}: {entry}")
        return "\n".join(lines)


@pytest.fixture
def problems() -> Problems:
    return Problems()


def _recorder(page: Page, problems: Problems):
    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = (message.location or {}).get("url") or ""
        entry = f"{page.url}: {message.text}" + (f" [{source}]" if source else "")
        if "Content Security Policy" in message.text:
            problems.csp_violations.append(entry)
        elif source.endswith("/favicon.ico"):
            problems.favicon_errors.append(entry)
        else:
            problems.console_errors.append(entry)

    def on_page_error(error: Exception) -> None:
        problems.page_errors.append(f"{page.url}: {error}")

    return on_console, on_page_error


@pytest.fixture
def new_page(browser: Browser, problems: Problems) -> Iterator:
    """Factory: ``new_page(viewport)`` opens a page in a fresh context that records problems."""
    contexts = []

    def make(viewport: dict[str, int] | None = None, **context_options) -> Page:
        context = browser.new_context(viewport=viewport or DESKTOP, **context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        on_console, on_page_error = _recorder(page, problems)
        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    """A 1280x900 page that records console errors, page errors and CSP violations."""
    return new_page(DESKTOP)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("HUB_SCREENSHOT_DIR")
    folder = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


KIND_PATHS = {
    "guidebook_section": "guidebook",
    "policy_brief": "briefs",
    "country_experience": "experiences",
}


@dataclass(frozen=True)
class ContentDoc:
    kind: str
    slug: str
    title: str
    is_example: bool
    is_published: bool
    is_public: bool
    path: Path

    @property
    def is_visible_to_anyone(self) -> bool:
        """Published and public: what an anonymous visitor may see."""
        return self.is_published and self.is_public

    @property
    def url_path(self) -> str:
        """The canonical path the Hub gives this document."""
        return f"/{KIND_PATHS[self.kind]}/{self.slug}"


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        pytest.fail(f"{path} has no YAML front matter")
    _, head, _ = text.split("---", 2)
    return yaml.safe_load(head)


@pytest.fixture(scope="session")
def content_docs() -> list[ContentDoc]:
    """Every Markdown document in content/ (what load-content loads), from its front matter."""
    docs = []
    for folder in ("guidebook", "briefs", "experiences"):
        for path in sorted((PROJECT_ROOT / "content" / folder).glob("*.md")):
            meta = _front_matter(path)
            docs.append(
                ContentDoc(
                    kind=meta["kind"],
                    slug=meta["slug"],
                    title=meta["title"],
                    is_example=bool(meta.get("example", False)),
                    is_published=meta.get("status", "published") == "published",
                    is_public=meta.get("visibility", "public") == "public",
                    path=path,
                )
            )
    if not docs:
        pytest.fail(f"no documents found under {PROJECT_ROOT / 'content'}")
    return docs


# --- separate instances (appended for T-14; the fixtures above are unchanged) -----------------


@dataclass(frozen=True)
class HubInstance:
    """A Hub of its own: database, index, data and audit log in ``folder``, served at ``url``."""

    url: str
    env: dict[str, str]
    folder: Path


@pytest.fixture(scope="session")
def isolated_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """Factory: ``isolated_hub(name, extra_env, prepare)`` builds and serves a separate Hub.

    The instance gets migrations and reference data (no ``content/``), then ``prepare(instance)``
    runs against its database before ``gunicorn --workers 2`` starts, so tests that fill a Hub
    with hostile or bulky data never touch the shared one. Servers stop at the end of the session.
    """
    servers: list[subprocess.Popen] = []

    def start(name: str, extra_env: dict[str, str] | None = None, prepare=None) -> HubInstance:
        folder = tmp_path_factory.mktemp(f"hub-{name}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(
            {
                "HUB_DATABASE_URL": f"sqlite:///{folder / 'hub.sqlite'}",
                "HUB_INDEX_DIR": str(folder / "search_index"),
                "HUB_DATA_DIR": str(folder / "data"),
                "HUB_AUDIT_LOG": str(folder / "audit.log"),
                "HUB_SECRET_KEY": secrets.token_hex(32),
                "PYTHONUNBUFFERED": "1",
                **(extra_env or {}),
            }
        )
        flask = str(_venv_bin("flask"))
        started = time.monotonic()
        run_setup([flask, "--app", "wsgi", "db", "upgrade"], env)
        run_setup([flask, "--app", "wsgi", "hub", "load-reference"], env)
        port = _free_port()
        instance = HubInstance(url=f"http://127.0.0.1:{port}", env=env, folder=folder)
        if prepare is not None:
            prepare(instance)
        prepared = time.monotonic()
        log = folder / "gunicorn.log"
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                [str(_venv_bin("gunicorn")), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                 "wsgi:app"],
                cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            )  # fmt: skip
        servers.append(server)
        servers.extend(_start_background(env, log))
        _wait_for_health(f"{instance.url}/health", server, log)
        print(
            f"\n[hub:{name}] set-up {prepared - started:.1f} s, gunicorn ready in "
            f"{time.monotonic() - prepared:.1f} s at {instance.url} (log: {log})"
        )
        return instance

    yield start
    for server in servers:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


# --- accessibility: axe-core in the page (node_modules from package-lock.json) -----------------

NODE_MODULES = PROJECT_ROOT / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Violations only, each node reduced to what a reader needs to find and fix it.
AXE_RUN_JS = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({
      target: n.target.join(' '), impact: n.impact,
      summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 300),
    })),
  }));
}"""


def node_tool(path: Path) -> Path:
    """A file installed by ``npm ci`` from package-lock.json; fails with the command to run."""
    if not path.is_file():
        pytest.fail(
            f"{path.relative_to(PROJECT_ROOT)} is missing: run `make test-browser` (or "
            "`npm ci --no-audit --no-fund --ignore-scripts` at the top of the repository)"
        )
    return path


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, injected into pages of a context opened with ``bypass_csp=True``."""
    return node_tool(AXE_JS).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def run_axe(axe_source: str):
    """``run_axe(page)``: axe's violations on the page as loaded (WCAG 2.1 A/AA, best practice).

    The Hub's CSP forbids inline script, so the page must belong to a context opened with
    ``bypass_csp=True`` (see ``axe_context``); the context's pages are never used for CSP checks.
    """

    def run(page: Page) -> list[dict]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.add_script_tag(content=axe_source)
        return page.evaluate(AXE_RUN_JS, AXE_TAGS)

    return run


def log_in(page: Page, base: str, email: str, password: str) -> None:
    """Log in through the login form, as a person does; waits for the page after it."""
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    if "/login" in page.url:
        pytest.fail(f"could not log in as {email}: still on {page.url}")


@pytest.fixture
def axe_context(browser: Browser) -> Iterator:
    """Factory: ``axe_context(base, email=None, password=None)`` -> a logged-in (or anonymous)
    context with ``bypass_csp=True`` so that axe can be injected; closed after the test."""
    contexts = []

    def make(base: str, email: str | None = None, password: str | None = None, viewport=None):
        context = browser.new_context(viewport=viewport or DESKTOP, bypass_csp=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        if email is not None:
            page = context.new_page()
            log_in(page, base, email, password or "")
            page.close()
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def seeded_hub(isolated_hub) -> dict:
    """A Hub of its own with ``content/`` and the seed of ``a11y_pages``: people of every role
    (password ``a11y_pages.PASSWORD``) and every page type filled. Built once per session for
    the accessibility checks and the screenshots. Returns ``{"url": ..., "seeded": {ids}}``."""
    seeded: dict = {}

    def prepare(instance: HubInstance) -> None:
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        run_setup([*flask, "hub", "load-content", "content/"], instance.env, timeout=300)
        out = instance.folder / "seed.json"
        run_setup([sys.executable, "-m", "tests.browser.a11y_pages", "seed", str(out)],
                  instance.env, timeout=300)  # fmt: skip
        seeded.update(json.loads(out.read_text(encoding="utf-8")))

    instance = isolated_hub("seeded", {}, prepare)
    return {"url": instance.url, "seeded": seeded}
