"""Helpers for T-14 (stored XSS corpus in headless Chromium): seeding, hooks and page probes.

Seeding runs as ``python -m tests.browser.xss_support seed OUT.json`` with the same ``HUB_*``
environment as the server, before gunicorn starts. It writes through the app's own code: the
invitation service for people, the editor's ``DocumentForm`` for the shape of the input,
``editing.create`` / ``attach_pdf`` and the workflow for documents. OUT.json records what the app
*stored* (titles are normalised, tags lower-cased, file names slugified), which is what the pages
must then show as text. The administrator and the editor come from ``hub create-user``; the 163
focal points named with payloads are invited by the administrator through the account service
and given the administrator's password hash (163 scrypt runs would cost half a minute).
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser  # helpers only; marked like every module of this folder

PASSWORD = "xss corpus passphrase that nobody guesses 7"
ADMIN_EMAIL = "xss-admin@example.org"
EDITOR_EMAIL = "xss-editor@example.org"
SEARCH_WORD = "xsscorpus"
GOAL = 9
AREA = "capabilities"
# Every upload costs one sandboxed extraction child (about 1 s of CPU here), so hostile file
# names go onto a deterministic sample of the corpus rather than onto all of it.
ATTACHMENT_EVERY = 10
ATTACHMENT_ALSO = (
    "script-src",
    "html-a-nul-in-scheme",
    "html-a-leading-control",
    "md-link-title-breakout",
    "unicode-rtl-override",
    "unicode-bom-in-tag",
    "unicode-fullwidth-brackets",
)
# Guidebook sections only add one more list (the contents tree), so a sample of titles suffices.
SECTION_EVERY = 4


def user_email(index: int) -> str:
    return f"xss-user-{index:03d}@example.org"


def body_marker(index: int) -> str:
    return f"bodymark{index:03d}"


def wants_attachment(index: int, payload_id: str) -> bool:
    return index % ATTACHMENT_EVERY == 0 or payload_id in ATTACHMENT_ALSO


def normalize(text: str | None) -> str:
    """Compare text as a browser shows it: HTML drops or replaces NUL, and folds line ends."""
    if not text:
        return ""
    return " ".join(text.replace("\x00", "").replace("\ufffd", "").split())


# --- seeding (runs in a subprocess with the instance's environment) ---------------------------


def _document_input(app, fields: dict[str, str]):
    """The DocumentInput the editor page would build from these form fields."""
    from hub.workspace.forms import DocumentForm

    with app.test_request_context("/workspace/new/briefs", method="POST", data=fields):
        form = DocumentForm(meta={"csrf": False})
        form.parent.choices = [("", "—")]
        if not form.validate():
            raise RuntimeError(f"seed form invalid: {form.errors}")
        return form.to_input()


def _fast_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def seed(out: Path) -> None:
    from fpdf import FPDF
    from sqlalchemy import event, select

    from hub import create_app
    from hub.accounts import service as accounts
    from hub.accounts.models import Role, User
    from hub.countries.models import Country
    from hub.documents import editing, workflow
    from hub.documents.models import Kind
    from hub.extensions import db
    from hub.search import indexing
    from tests.markup.xss_payloads import PAYLOADS

    app = create_app()
    with app.app_context():
        # Seed data only: skip the per-commit fsync the Hub insists on (about 1,500 commits).
        event.listen(db.engine, "connect", _fast_sqlite)
        db.engine.dispose()
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "A small PDF with a hostile file name.")
    pdf_path = Path(out).with_suffix(".pdf")
    pdf_path.write_bytes(bytes(pdf.output()))

    with app.app_context():
        admin = accounts.find_by_email(ADMIN_EMAIL)
        editor = accounts.find_by_email(EDITOR_EMAIL)
        if admin is None or editor is None:
            raise RuntimeError("create the admin and the editor with `hub create-user` first")
        shared_hash = db.session.scalar(select(User.password_hash).where(User.id == admin.id))
        countries = db.session.scalars(select(Country).order_by(Country.iso3)).all()
        if len(countries) < len(PAYLOADS):
            raise RuntimeError("not enough countries for one focal point per payload")

        entries = []
        for index, (payload_id, payload) in enumerate(PAYLOADS):
            # The administrator invites a focal point whose name is the payload.
            person = accounts.create_user(
                email=user_email(index), name=payload, role=Role.FOCAL_POINT,
                country_iso3=countries[index].iso3, by=admin,
            )  # fmt: skip
            person.password_hash = shared_hash
            db.session.commit()

            data = _document_input(app, {
                "title": payload, "summary": payload,
                "body": f"Corpus entry {SEARCH_WORD} {body_marker(index)}.\n\n{payload}\n",
                "language": "en", "goals": str(GOAL), "targets": f"{GOAL}.5", "areas": AREA,
                "tags": payload, "visibility": "public", "position": "0",
            })  # fmt: skip
            doc = editing.create(Kind.POLICY_BRIEF, data, by=person)
            attachment = None
            if wants_attachment(index, payload_id):
                attachment = editing.attach_pdf(doc, pdf_path, f"{payload}.pdf", by=person)
            workflow.apply(doc, "submit", by=person)
            workflow.apply(doc, "publish", by=editor, comment=payload)

            queued_input = _document_input(app, {
                "title": payload, "summary": "Waiting for review.", "body": "Queued.",
                "language": "en", "visibility": "public", "position": "0",
            })  # fmt: skip
            queued = editing.create(Kind.POLICY_BRIEF, queued_input, by=person)
            workflow.apply(queued, "submit", by=person, comment=payload)

            section = None
            if index % SECTION_EVERY == 0:
                section_input = _document_input(app, {
                    "title": payload, "summary": payload, "body": f"Section {index}.",
                    "language": "en", "visibility": "public", "position": str(index),
                })  # fmt: skip
                section = editing.create(Kind.GUIDEBOOK_SECTION, section_input, by=editor)
                workflow.apply(section, "publish", by=editor, comment=payload)

            entries.append(
                {
                    "index": index,
                    "id": payload_id,
                    "payload": payload,
                    "email": person.email,
                    "name": person.name,
                    "doc_id": doc.id,
                    "doc_path": f"/briefs/{doc.slug}",
                    "title": doc.title,
                    "summary": doc.summary,
                    "tags": [t.name for t in doc.tags],
                    "comment": doc.events[-1].comment,
                    "filename": attachment.filename if attachment else None,
                    "queued_title": queued.title,
                    "queued_comment": queued.events[-1].comment,
                    "section_title": section.title if section else None,
                }
            )
        indexing.catch_up()
    Path(out).write_text(json.dumps(entries, ensure_ascii=False))


# --- in the browser ---------------------------------------------------------------------------

# Installed before any page script. Records calls that payloads use to prove execution, into the
# frame's own list and the top frame's, and as a console message that the test collects from
# every frame. alert/confirm/prompt still open their dialog, so dialogs are a second witness.
HOOKS_JS = r"""
(() => {
  const MARK = '__xss_hook__';
  const lists = [];
  const record = (kind, detail) => {
    const entry = {kind, detail: String(detail).slice(0, 300), url: String(location.href)};
    for (const w of [window, (() => { try { return window.top; } catch (e) { return null; } })()]) {
      try { if (w) { (w.__xss = w.__xss || []).push(entry); } } catch (e) {}
    }
    try { console.log(MARK + JSON.stringify(entry)); } catch (e) {}
  };
  for (const name of ['alert', 'confirm', 'prompt']) {
    const original = window[name];
    window[name] = function (...args) { record(name, args[0]); return original.apply(this, args); };
  }
  window.print = function () { record('print', ''); };
  const originalEval = window.eval;
  // Playwright's own page.evaluate goes through eval; its functions carry PROBE_TAG.
  window.eval = new Proxy(originalEval, {
    apply(target, self, args) {
      if (!String(args[0]).includes('__xss_probe__')) record('eval', args[0]);
      return Reflect.apply(target, self, args);
    },
  });
  window.Function = new Proxy(window.Function, {
    apply(target, self, args) {
      record('Function', args.join(','));
      return Reflect.apply(target, self, args);
    },
    construct(target, args) {
      record('Function', args.join(','));
      return Reflect.construct(target, args);
    },
  });
  for (const name of ['setTimeout', 'setInterval']) {
    const original = window[name];
    window[name] = function (handler, ...rest) {
      if (typeof handler === 'string') record(name, handler);
      return original.call(this, handler, ...rest);
    };
  }
  document.addEventListener('securitypolicyviolation', (e) => {
    const entry = {directive: e.violatedDirective, blocked: String(e.blockedURI),
                   sample: String(e.sample || ''), url: String(location.href)};
    (window.__csp = window.__csp || []).push(entry);
    try { console.log('__csp_report__' + JSON.stringify(entry)); } catch (err) {}
  }, true);
  // Clicking every link and button must not leave the page, so navigations and form posts are
  // cancelled before they start, except to javascript: URLs, which run in place: one that
  // survived would execute and be seen. (The probe lists every non-http(s) URL separately.)
  const harmless = (raw) => {
    if (raw === null || raw === undefined) return true;
    try {
      return new URL(String(raw), document.baseURI).protocol !== 'javascript:';
    } catch (e) { return true; }
  };
  const XLINK = 'http://www.w3.org/1999/xlink';
  const hrefOf = (a) => a.getAttribute('href') ?? a.getAttributeNS(XLINK, 'href');
  window.addEventListener('click', (e) => {
    const closest = (sel) => (e.target && e.target.closest ? e.target.closest(sel) : null);
    const a = closest('a');
    if (a && harmless(hrefOf(a))) e.preventDefault();
    const button = closest('button, input[type=submit]');
    if (button && button.form) {
      const action = button.getAttribute('formaction') ?? button.form.getAttribute('action') ?? '';
      if (harmless(action || document.baseURI)) e.preventDefault();
    }
  }, true);
  window.addEventListener('submit', (e) => {
    const action = e.target.getAttribute('action') ?? '';
    if (harmless(action || document.baseURI)) e.preventDefault();
  }, true);
})();
"""

# Hovers, focuses and clicks every a, button and svg a (bounded), lets queued tasks run, then
# returns what the page shows: its text (title, textareas included) and every attribute value.
PROBE_JS = r"""
async (limit) => {
  /* __xss_probe__ */
  const els = Array.from(document.querySelectorAll('a, button, svg a')).slice(0, limit);
  let clicked = 0;
  for (const el of els) {
    for (const type of ['mouseover', 'mouseenter', 'focus']) {
      el.dispatchEvent(new Event(type, {bubbles: type === 'mouseover'}));
    }
    if (typeof el.click === 'function') el.click();
    else el.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window}));
    clicked += 1;
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
  const attributes = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) attributes.push(attr.value);
  }
  // Markup that must never survive, executed or not: event-handler attributes, and URLs with
  // a scheme other than http(s) or mailto where a browser follows or loads them.
  const dangerous = [];
  const URL_ATTRIBUTES = ['href', 'xlink:href', 'src', 'action', 'formaction', 'data', 'poster'];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) dangerous.push(`<${el.localName} ${attr.name}>`);
      if (URL_ATTRIBUTES.includes(name)) {
        let protocol = '';
        try { protocol = new URL(attr.value, document.baseURI).protocol; } catch (e) {}
        if (protocol && !['http:', 'https:', 'mailto:'].includes(protocol)) {
          dangerous.push(`<${el.localName} ${attr.name}="${attr.value.slice(0, 80)}">`);
        }
      }
    }
  }
  return {
    clicked,
    url: location.href,
    text: document.documentElement.textContent,
    attributes,
    dangerous,
    xss: window.__xss || [],
    csp: window.__csp || [],
  };
}
"""


# Builds a form of textareas (they keep line breaks, unlike inputs) and submits it, as a person
# would post the editor; used for the pages that echo a failing form.
SUBMIT_JS = r"""
([action, fields]) => {
  /* __xss_probe__ */
  const form = document.createElement('form');
  form.method = 'post';
  form.action = action;
  form.acceptCharset = 'utf-8';
  for (const [name, value] of Object.entries(fields)) {
    const box = document.createElement('textarea');
    box.name = name;
    box.value = value;
    form.appendChild(box);
  }
  document.body.appendChild(form);
  form.submit();
}
"""

HOOK_MARK = "__xss_hook__"
CSP_MARK = "__csp_report__"
CLICK_LIMIT = 3000


@dataclass
class PageResult:
    """What one opened page showed and what happened while it was open and clicked."""

    label: str
    url: str
    status: int | None = None
    clicked: int = 0
    text: str = ""
    attributes: list[str] = field(default_factory=list)
    executions: list[str] = field(default_factory=list)
    csp_reports: list[str] = field(default_factory=list)
    # event-handler attributes, javascript:/data:/... URLs, navigations away from the page
    dangerous: list[str] = field(default_factory=list)
    remote_images: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def shows(self, value: str, where: str = "any") -> bool:
        """``value`` appears as text, in an attribute value (form fields), or as ``where`` says."""
        wanted = normalize(value)
        if not wanted:
            return True
        in_text = wanted in self.text
        in_attribute = any(wanted in v for v in self.attributes)
        return {
            "any": in_text or in_attribute,
            "text": in_text,
            "attribute": in_attribute,
            "both": in_text and in_attribute,
        }[where]


class Prober:
    """Opens pages of one origin with the hooks installed and gathers the evidence per page.

    ``bypass_csp=True`` makes Chromium ignore the Content-Security-Policy, so only the sanitizer
    and the templates' escaping stand between a payload and execution. Requests to any other
    origin are recorded and aborted (the machine is offline anyway; this keeps it fast).
    """

    def __init__(self, browser, origin: str, *, bypass_csp: bool):
        self.browser, self.origin, self.bypass_csp = browser, origin, bypass_csp
        self.results: list[PageResult] = []
        self._contexts = []
        self._pages = []
        # Each page's latest result: a payload that fires late (a marquee starting, a focus
        # event) is charged to the page it came from even after the next page was opened.
        self._latest: dict[int, PageResult] = {}

    def page(self, cookies: list[dict] | None = None):
        context = self.browser.new_context(
            bypass_csp=self.bypass_csp, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        context.add_init_script(HOOKS_JS)
        # Only requests that Chromium really sends reach the route; the CSP stops others first.
        context.route(re.compile(rf"^(?!{re.escape(self.origin)}/)"), self._off_site)
        if cookies:
            context.add_cookies(cookies)
        self._contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: self._on_dialog(page, dialog))
        page.on("console", lambda message: self._on_console(page, message))
        page.on("popup", lambda popup: self._on_popup(page, popup))
        self._pages.append(page)
        return page

    def close(self) -> None:
        """Give late events a moment to arrive, then close every context."""
        for page in self._pages:
            if not page.is_closed():
                page.wait_for_timeout(100)
        for context in self._contexts:
            context.close()
        self._contexts.clear()
        self._pages.clear()

    def _note(self, page, kind: str, text: str) -> None:
        result = self._latest.get(id(page))
        if result is not None:
            getattr(result, kind).append(text)

    def _off_site(self, route) -> None:
        request = route.request
        try:
            page = request.frame.page
        except Exception:
            page = None
        if not request.url.startswith(("http:", "https:", "ws:", "wss:")):
            pass  # e.g. <img src="x:alert(1)">: nothing leaves the machine
        elif request.resource_type == "image":
            self._note(page, "remote_images", request.url)  # img-src 'self' https: data:
        else:
            text = f"off-site {request.resource_type} request: {request.url}"
            self._note(page, "executions", text)
        route.abort()

    def _on_dialog(self, page, dialog) -> None:
        self._note(page, "executions", f"{dialog.type} dialog opened: {dialog.message!r}")
        dialog.dismiss()

    def _on_console(self, page, message) -> None:
        text = message.text
        if text.startswith(HOOK_MARK):
            self._note(page, "executions", "hook " + text[len(HOOK_MARK) :])
        elif text.startswith(CSP_MARK):
            self._note(page, "csp_reports", text[len(CSP_MARK) :])

    def _on_popup(self, page, popup) -> None:
        self._note(page, "executions", f"a popup opened: {popup.url}")
        popup.close()

    def check(self, page, label: str, path: str, *, post: dict | None = None) -> PageResult:
        """Open ``path`` (GET, or POST of ``post`` from the current page), click everything."""
        from playwright.sync_api import Error as PlaywrightError

        result = PageResult(label=label, url=self.origin + path)
        self._latest[id(page)] = result
        started = time.perf_counter()
        try:
            if post is None:
                response = page.goto(result.url)
            else:
                with page.expect_navigation() as navigation:
                    page.evaluate(SUBMIT_JS, [result.url, post])
                response = navigation.value
            result.status = response.status if response is not None else None
            probe = page.evaluate(PROBE_JS, CLICK_LIMIT)
        except PlaywrightError as exc:
            # A click that took the page elsewhere destroys the context: that is evidence too.
            result.dangerous.append(f"the page failed or left while clicked: {exc}")
            probe = None
        if probe is not None:
            result.clicked = probe["clicked"]
            result.text = normalize(probe["text"])
            result.attributes = [normalize(v) for v in probe["attributes"]]
            result.dangerous += probe["dangerous"]
            for entry in probe["xss"]:
                line = "hook " + json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
                if line not in result.executions:
                    result.executions.append(line)
            if probe["url"] != result.url and post is None:
                result.dangerous.append(f"the page moved to {probe['url']} while clicked")
        result.seconds = time.perf_counter() - started
        self.results.append(result)
        return result


class Coverage:
    """Which (payload, field) pairs were seen rendered where they should be, and which were not."""

    def __init__(self, payload_ids: list[str]):
        self.payload_ids = payload_ids
        self.verified: set[tuple[int, str]] = set()
        self.failed: set[tuple[int, str]] = set()
        # (field, kind of page, payload id, url, status, the value looked for)
        self.missing: list[tuple[str, str, str, str, int | None, str]] = []
        self.other: list[str] = []

    def expect(
        self, result: PageResult, index: int, field_name: str, values: list[str], where: str = "any"
    ) -> None:
        absent = [v for v in values if not result.shows(v, where)]
        if absent:
            self.failed.add((index, field_name))
            kind = re.sub(r" '.*'", " …", result.label) + f" ({where})"
            self.missing.append(
                (field_name, kind, self.payload_ids[index], result.url, result.status, absent[0])
            )
        else:
            self.verified.add((index, field_name))

    @property
    def render_checks(self) -> set[tuple[int, str]]:
        return self.verified - self.failed

    def report(self) -> list[str]:
        """Missing values grouped by field and kind of page, with the payloads and one example."""
        groups: dict[tuple[str, str], list[tuple]] = {}
        for entry in self.missing:
            groups.setdefault(entry[:2], []).append(entry)
        lines = list(self.other)
        for (field_name, kind), entries in groups.items():
            _, _, _, url, status, value = entries[0]
            lines.append(
                f"  {field_name} on {kind}: {len(entries)} payloads: "
                f"{', '.join(e[2] for e in entries)}\n"
                f"    e.g. {url} (status {status}) lacks {normalize(value)[:160]!r}"
            )
        return lines


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[1] == "seed":
        seed(Path(argv[2]))
        return 0
    print("usage: python -m tests.browser.xss_support seed OUT.json", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
