"""Every page type, in each of its states and as each role, checked in Chromium.

- axe-core (WCAG 2.0/2.1 A and AA, best practice) at 1280 and 390 px: no critical or serious
  finding;
- no horizontal scrolling at 320, 390 and 1280 px (``scrollWidth <= innerWidth``);
- the HTML the server sent (the navigation's own response bytes, not the DOM) is valid for the
  Nu HTML Checker, run once over all pages.

One pass (the ``audit`` fixture) visits everything with one logged-in context per role, then each
test reads its part and prints a table that can be quoted. The pages are listed per endpoint in
``a11y_pages``; ``test_every_html_endpoint_is_checked`` fails when the URL map has a GET endpoint
that is neither listed nor excluded with a reason.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser import a11y_pages as catalogue
from tests.browser.conftest import VNU_JAR, log_in, node_tool

pytestmark = pytest.mark.browser

AXE_WIDTHS = (1280, 390)
OVERFLOW_WIDTHS = (1280, 390, 320)
HEIGHTS = {1280: 900, 390: 844, 320: 640}
BLOCKING = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")
# What sticks out past the right edge. An ancestor that scrolls or hides its overflow clips an
# element only if it holds the element's containing block: an absolutely positioned element
# (a visually hidden label in a scrolling table, say) escapes a scroller with no position.
OFFENDERS_JS = """() => {
  const clips = s => ['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX);
  const clipped = el => {
    let position = getComputedStyle(el).position;
    if (position === 'fixed') return false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (position === 'absolute' && s.position === 'static') continue;
      if (clips(s)) return true;
      position = s.position;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > window.innerWidth && !clipped(el)) {
      const cls = typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      const text = (el.textContent || '').trim().slice(0, 40);
      out.push(`${el.tagName.toLowerCase()}${cls} right=${Math.round(r.right)} "${text}"`);
    }
  }
  return out.slice(0, 6);
}"""


@dataclass
class Audit:
    """What one pass over every page found; each entry names role, page and width."""

    checked: list[str] = field(default_factory=list)  # "role page"
    bad_status: list[str] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)  # one per axe violation per page/width
    overflow: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    html_files: dict[Path, str] = field(default_factory=dict)  # saved file -> "role page"

    def __repr__(self) -> str:
        return f"Audit({len(self.checked)} page states, {len(self.findings)} axe findings)"


def _check_widths(page, run_axe, role: str, label: str, audit: Audit) -> None:
    """Overflow at every width and axe at the two main ones, on the page as loaded."""
    for width in OVERFLOW_WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
        sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if sizes[0] > sizes[1]:
            audit.overflow[width].append(
                f"{role:<11} {label}: scrollWidth {sizes[0]} > {sizes[1]}; "
                f"sticking out: {page.evaluate(OFFENDERS_JS)}"
            )
        if width in AXE_WIDTHS:
            for violation in run_axe(page):
                audit.findings.append({"role": role, "page": label, "width": width, **violation})
    page.set_viewport_size({"width": 1280, "height": HEIGHTS[1280]})


def _save_html(response, folder: Path, role: str, label: str, audit: Audit) -> None:
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"{role}-{label}").strip("-")[:120]
    target = folder / f"{len(audit.html_files):03d}-{name}.html"
    target.write_bytes(response.body())
    audit.html_files[target] = f"{role} {label}"


def _visit(page, base, seeded, entry, role, folder, run_axe, audit) -> None:
    path = entry.path.format(**seeded)
    label = f"{path} [{entry.state}]"
    response = page.goto(base + path)
    status = response.status if response else None
    if status != entry.status:
        audit.bad_status.append(f"{role} {path}: {status}, expected {entry.status} ({page.url})")
        return
    audit.checked.append(f"{role} {label}")
    _save_html(response, folder, role, label, audit)
    _check_widths(page, run_axe, role, label, audit)


def _send_form(page, base, seeded, form, folder, run_axe, audit) -> None:
    """Fill what ``form`` says, then submit without the browser's own checks (as an old browser
    or a script would), so the server's error messages are what is checked."""
    path = form.path.format(**seeded)
    label = f"{path} [form errors]"
    shown = page.goto(base + path)
    try:
        for selector, value in form.fill:
            page.fill(selector, value)
        with page.expect_navigation() as navigation:
            page.eval_on_selector(form.field, "el => el.form.submit()")
    except PlaywrightError as exc:
        audit.bad_status.append(
            f"{form.role} {label}: form not sent (page answered {shown and shown.status} at "
            f"{page.url}): {str(exc).splitlines()[0]}"
        )
        return
    response = navigation.value
    shown_errors = page.locator(
        ".field-error, .error-message, .has-error, .flash.error, [role=alert]"
    ).count()
    if response is None or response.status >= 500 or not shown_errors:
        audit.bad_status.append(
            f"{form.role} {label}: {response and response.status}, no error shown ({page.url})"
        )
        return
    audit.checked.append(f"{form.role} {label}")
    _save_html(response, folder, form.role, label, audit)
    _check_widths(page, run_axe, form.role, label, audit)


@pytest.fixture(scope="module")
def audit(seeded_hub, browser, run_axe, tmp_path_factory) -> Audit:
    base, seeded = seeded_hub["url"], seeded_hub["seeded"]
    folder = tmp_path_factory.mktemp("served-html")
    result = Audit()
    for role in catalogue.ROLES:
        context = browser.new_context(
            viewport={"width": 1280, "height": HEIGHTS[1280]}, bypass_csp=True
        )
        context.set_default_timeout(15_000)
        try:
            page = context.new_page()
            if role != "anonymous":
                log_in(page, base, catalogue.ACCOUNTS[role], catalogue.PASSWORD)
            for entry in catalogue.PAGES:
                if role in entry.roles:
                    _visit(page, base, seeded, entry, role, folder, run_axe, result)
            for form in catalogue.FORM_ERRORS:
                if form.role == role:
                    _send_form(page, base, seeded, form, folder, run_axe, result)
        finally:
            context.close()
    return result


# --- the URL map ------------------------------------------------------------------------------


def _get_endpoints() -> set[str]:
    from hub import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}


def test_every_html_endpoint_is_checked():
    endpoints = _get_endpoints()
    listed = {p.endpoint for p in catalogue.PAGES if not p.endpoint.startswith("(")}
    missing = sorted(endpoints - listed - set(catalogue.EXCLUDED))
    stale = sorted((listed | set(catalogue.EXCLUDED)) - endpoints)
    assert not missing, (
        "GET endpoints with no page in tests/browser/a11y_pages.py (add a URL to PAGES, or to "
        f"EXCLUDED with the reason it serves no HTML page): {missing}"
    )
    assert not stale, f"a11y_pages.py lists endpoints the app no longer has: {stale}"


# --- reports ----------------------------------------------------------------------------------


def _findings_table(findings: list[dict]) -> str:
    by_rule: Counter = Counter()
    by_page: dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        by_rule[(f["impact"], f["id"])] += len(f["nodes"])
        by_page[f"{f['role']:<11} {f['width']:>4}px {f['page']}"][f["impact"]] += len(f["nodes"])
    lines = ["findings by impact and rule (elements):"]
    for (impact, rule), n in sorted(
        by_rule.items(), key=lambda x: (IMPACTS.index(x[0][0]), x[0][1])
    ):
        lines.append(f"  {impact:<9} {rule:<32} {n}")
    lines.append("findings per page (critical/serious/moderate/minor):")
    for name, counts in sorted(by_page.items()):
        lines.append("  " + "/".join(str(counts[i]) for i in IMPACTS) + f"  {name}")
    return "\n".join(lines)


def _where(findings: list[dict], per_rule: int = 12) -> str:
    """Each rule once, with its message and the selectors and pages where it was found."""
    places: dict[tuple, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for f in findings:
        for node in f["nodes"]:
            key = (f["impact"], f["id"], f["help"])
            places[key][node["target"]].add(f"{f['role']} {f['width']}px {f['page']}")
    lines = ["where (rule: selector <- pages):"]
    for (impact, rule, help_text), targets in sorted(places.items()):
        lines.append(f"  {impact} {rule}: {help_text}")
        for target, pages in sorted(targets.items())[:per_rule]:
            shown = sorted(pages)
            more = f" (+{len(shown) - 3} more)" if len(shown) > 3 else ""
            lines.append(f"    {target[:110]} <- {'; '.join(shown[:3])}{more}")
        if len(targets) > per_rule:
            lines.append(f"    ... and {len(targets) - per_rule} more selectors")
    return "\n".join(lines)


def test_pages_answer_and_show_their_states(audit):
    print(f"\n[a11y] {len(audit.checked)} page states checked (role, URL, state):")
    for entry in audit.checked:
        print(f"  {entry}")
    if audit.bad_status:
        pytest.fail("pages that did not answer as listed:\n" + "\n".join(audit.bad_status))


def test_no_critical_or_serious_axe_findings(audit):
    totals = Counter()
    for f in audit.findings:
        totals[f["impact"]] += len(f["nodes"])
    views = len(audit.checked) * len(AXE_WIDTHS)
    print(
        f"\n[axe] {views} page views ({len(audit.checked)} states x {AXE_WIDTHS} px); elements "
        "by impact: " + ", ".join(f"{i} {totals[i]}" for i in IMPACTS)
    )
    if audit.findings:
        print(_findings_table(audit.findings))
        print(_where(audit.findings))
    blocking = [f for f in audit.findings if f["impact"] in BLOCKING]
    if blocking:
        pytest.fail("critical or serious axe findings:\n" + _where(blocking), pytrace=False)


def test_no_page_scrolls_sideways(audit):
    counts = ", ".join(f"{w}px: {len(audit.overflow.get(w, []))}" for w in OVERFLOW_WIDTHS)
    print(f"\n[overflow] {len(audit.checked)} page states; overflowing per width: {counts}")
    failures = [f"{w}px {line}" for w in OVERFLOW_WIDTHS for line in audit.overflow.get(w, [])]
    if failures:
        pytest.fail("pages wider than the window:\n" + "\n".join(failures), pytrace=False)


def test_served_html_is_valid(audit):
    jar = node_tool(VNU_JAR)
    files = sorted(audit.html_files)
    done = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    try:
        messages = json.loads(done.stderr or done.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu did not answer in JSON (exit {done.returncode}):\n{done.stderr[-3000:]}")
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    by_message: dict[str, list[str]] = defaultdict(list)
    for m in errors:
        page = audit.html_files.get(Path(m.get("url", "").removeprefix("file:")), m.get("url"))
        message = re.sub(r"^Bad value “[^”]*”", "Bad value “…”", m.get("message", ""))
        by_message[message].append(f"{page} line {m.get('lastLine')}")
    print(f"\n[vnu] {len(files)} served pages checked, {len(errors)} errors")
    report = []
    for message, where in sorted(by_message.items(), key=lambda x: -len(x[1])):
        report.append(f"  {len(where):>3}x {message}")
        report.extend(f"        {w}" for w in where[:40])
    print("\n".join(report))
    if errors:
        pytest.fail("the Nu HTML Checker found errors:\n" + "\n".join(report), pytrace=False)
