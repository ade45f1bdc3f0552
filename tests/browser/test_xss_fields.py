"""T-14: the stored XSS corpus in every user-controlled field, opened and clicked in Chromium.

A separate Hub is filled through the app's own code (see ``xss_support.seed``): for each of the
corpus' payloads a focal point *named* with the payload (invited by the administrator), a
published brief whose title, summary, tags, body and workflow comment are the payload (a sample
also gets a PDF uploaded under the payload as file name), a brief waiting for review with the
payload as title and comment, and (for every fourth payload) a published guidebook section
titled with it. Then every page that shows those fields is opened: the public lists, search
results and home page, each brief's public and workspace pages, each person's dashboard, the
editor's dashboard, the accounts list, the search page echoing each payload (also on its "too
long" error branch), the editor's form failing on each payload as SDG target (its error message
and the re-shown fields), and the invitation and login forms failing with the corpus typed in.

On every page, hooks installed before any page script record alert/confirm/prompt/print, eval,
Function and setTimeout/setInterval with a string; dialogs, popups, off-site requests and
navigations away are recorded too. Every ``a``, ``button`` and ``svg a`` is hovered, focused and
clicked; ordinary http(s) navigations and form posts are cancelled so the page stays put, while
anything else (``javascript:``...) is let through to run. The whole run happens twice: with the
production Content-Security-Policy as served, and with Chromium told to ignore it, where only the
sanitizer and the templates' escaping protect the page.

Each page must also show the payload where it belongs (as text, or as a form field's value), so
a payload that never reached a page cannot pass as "did not execute".
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser import xss_support as xs
from tests.browser.setup_commands import run_setup
from tests.markup.xss_payloads import PAYLOADS

pytestmark = pytest.mark.browser

SEED_TIMEOUT_S = 300.0
MODES = {"production-csp": False, "csp-disabled": True}  # mode -> bypass_csp
FIELDS_PER_PAYLOAD = (
    "title",
    "summary",
    "body",
    "tags",
    "workflow comment",
    "display name",
    "sdg-target echo",
    "form echo",
    "search echo",
    "invitation-form echo",
    "login-form echo",
)
ATTACHMENT_FIELD = "attachment filename"
HOME_LATEST = 6  # the home page shows the six latest briefs and experiences
# gunicorn refuses request lines over 4094 bytes; the "too long" search branch needs > 256 chars.
SEARCH_URL_BUDGET = 3600
SEARCH_MAX_CHARS = 256


@dataclass
class Corpus:
    url: str
    entries: list[dict]


@pytest.fixture(scope="module")
def corpus(isolated_hub) -> Corpus:
    """A Hub of its own holding the corpus in every field (listings show up to 400 per page)."""
    seed_file: dict[str, Path] = {}

    def prepare(instance) -> None:
        flask = [sys.executable, "-m", "flask", "--app", "wsgi", "hub", "create-user"]
        for email, name, role in (
            (xs.ADMIN_EMAIL, "Hub Administrator", "admin"),
            (xs.EDITOR_EMAIL, "Secretariat Editor", "editor"),
        ):
            run_setup(
                [*flask, "--email", email, "--name", name, "--role", role,
                 "--password", xs.PASSWORD],
                instance.env, timeout=SEED_TIMEOUT_S,
            )  # fmt: skip
        seed_file["path"] = instance.folder / "seed.json"
        run_setup(
            [sys.executable, "-m", "tests.browser.xss_support", "seed", str(seed_file["path"])],
            instance.env,
            timeout=SEED_TIMEOUT_S,
        )

    instance = isolated_hub("xss", {"HUB_PER_PAGE": "400"}, prepare)
    entries = json.loads(seed_file["path"].read_text(encoding="utf-8"))
    assert [e["id"] for e in entries] == [pid for pid, _ in PAYLOADS]
    return Corpus(url=instance.url, entries=entries)


def _login(origin: str, email: str, user_agent: str) -> list[dict]:
    """Log in through the real form (CSRF token and all); returns the cookies for Playwright.

    The Hub marks a session non-fresh when the client changes (session protection "basic"), so
    the login speaks with Chromium's User-Agent.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", user_agent)]
    with opener.open(origin + "/login", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*\bvalue="([^"]+)"', page)
    assert token, "no CSRF token on /login"
    form = {"csrf_token": token.group(1), "email": email, "password": xs.PASSWORD}
    data = urllib.parse.urlencode(form).encode()
    with opener.open(origin + "/login", data=data, timeout=30) as response:
        landed = response.geturl()
    assert landed.endswith("/workspace/"), f"logging in as {email} ended on {landed}"
    return [{"name": c.name, "value": c.value, "url": origin} for c in jar]


@pytest.fixture(scope="module")
def corpus_sessions(corpus: Corpus, browser) -> dict[str, list[dict]]:
    """Session cookies of the admin, the editor and every person named with a payload."""
    context = browser.new_context()
    user_agent = context.new_page().evaluate("() => navigator.userAgent")
    context.close()
    emails = [xs.ADMIN_EMAIL, xs.EDITOR_EMAIL] + [e["email"] for e in corpus.entries]
    with ThreadPoolExecutor(max_workers=2) as pool:  # gunicorn has two workers
        cookies = list(pool.map(lambda email: _login(corpus.url, email, user_agent), emails))
    return dict(zip(emails, cookies, strict=True))


@pytest.fixture(scope="module")
def t14_figures() -> dict:
    """Collects each mode's numbers; prints the catalogue figure when the module is done."""
    figures: dict[str, dict[str, int]] = {}
    yield figures
    if figures:
        total = {k: sum(f[k] for f in figures.values()) for k in next(iter(figures.values()))}
        print(
            f"\nT-14: render checks {total['render_checks']} ({len(PAYLOADS)} payloads x "
            f"{len(FIELDS_PER_PAYLOAD)} fields + {total['attachments'] // len(figures)} attachment "
            f"names, x {len(figures)} modes: {', '.join(figures)}), "
            f"executions {total['executions']}, CSP violation reports {total['csp_reports']} "
            f"(pages {total['pages']}, clicks {total['clicks']})"
        )


def _long_queries(entries: list[dict]) -> list[list[dict]]:
    """Groups of payloads whose joined text is over the search limit but fits in a URL."""
    groups, current = [], []
    for entry in entries:
        candidate = current + [entry]
        if len(_query_url(candidate)) > SEARCH_URL_BUDGET and current:
            groups.append(current)
            candidate = [entry]
        current = candidate
    if current:
        groups.append(current)
    # A short last group would take the ordinary branch: fold it into the one before.
    if len(groups) > 1 and len(" ".join(e["payload"] for e in groups[-1])) <= SEARCH_MAX_CHARS:
        groups[-2].extend(groups.pop())
    return groups


def _query_url(group: list[dict]) -> str:
    q = " ".join(e["payload"] for e in group)
    return "/search?q=" + urllib.parse.quote(q, safe="")


def _check_all_pages(prober: xs.Prober, page, label: str, path: str) -> xs.PageResult:
    """Check a list and each following page (rel=next); returns what they showed together."""
    parts = [prober.check(page, label, path)]
    while (link := page.locator("a[rel=next]")).count() and len(parts) < 20:
        parts.append(prober.check(page, label, link.first.get_attribute("href")))
    return xs.PageResult(
        label=label,
        url=parts[0].url,
        status=max(p.status or 0 for p in parts),
        text=" ".join(p.text for p in parts),
        attributes=[a for p in parts for a in p.attributes],
    )


def _csrf_token(page) -> str:
    return page.locator("input[name=csrf_token]").first.get_attribute("value")


def _expect_status(coverage: xs.Coverage, result: xs.PageResult, status: int) -> None:
    if result.status != status:
        coverage.other.append(f"  {result.label}: status {result.status}, not {status}")


def _first_target(payload: str) -> str:
    return next(part.strip() for part in payload.split(",") if part.strip())


def _check_corpus(
    prober: xs.Prober, coverage: xs.Coverage, corpus: Corpus, corpus_sessions: dict
) -> None:
    entries = corpus.entries
    anon = prober.page()
    editor = prober.page(corpus_sessions[xs.EDITOR_EMAIL])
    admin = prober.page(corpus_sessions[xs.ADMIN_EMAIL])
    person = prober.page()

    # Pages that show the whole corpus at once.
    lists = ("/briefs/", f"/search?q={xs.SEARCH_WORD}", f"/areas/{xs.AREA}", f"/sdgs/{xs.GOAL}")
    for path in lists:
        result = _check_all_pages(prober, anon, f"list of published briefs {path}", path)
        for e in entries:
            coverage.expect(result, e["index"], "title", [e["title"]], "text")
            if path == "/briefs/":
                coverage.expect(result, e["index"], "summary", [e["summary"]], "text")
    result = prober.check(anon, "guidebook contents", "/guidebook/")
    for e in entries:
        if e["section_title"]:
            coverage.expect(result, e["index"], "title", [e["section_title"]], "text")
    result = prober.check(anon, "home page", "/")
    shown = sum(result.shows(e["title"], "text") for e in entries)
    if shown < HOME_LATEST:
        coverage.other.append(f"the home page shows {shown} corpus titles, not {HOME_LATEST}")
    result = prober.check(editor, "editor's dashboard and review queue", "/workspace/")
    for e in entries:
        coverage.expect(result, e["index"], "title", [e["queued_title"]], "text")
        coverage.expect(result, e["index"], "workflow comment", [e["queued_comment"]], "text")
    result = prober.check(admin, "accounts list", "/admin/users")
    for e in entries:
        coverage.expect(result, e["index"], "display name", [e["name"]], "text")
    for group in _long_queries(entries):
        result = prober.check(anon, "search refusing a too-long query", _query_url(group))
        _expect_status(coverage, result, 400)
        for e in group:
            coverage.expect(result, e["index"], "search echo", [e["payload"]], "both")

    # Failing forms that show again what was typed, the whole corpus in one field at once.
    everything = " ".join(e["payload"] for e in entries)
    form = {
        "csrf_token": _csrf_token(admin), "email": "not an e-mail address", "name": everything,
        "role": "focal_point", "country": "GHA",
    }  # fmt: skip
    # (This view answers 200 to a form that fails validation; the others answer 400.)
    result = prober.check(
        admin, "invitation form refusing the corpus as a name", "/admin/users", post=form
    )
    for e in entries:
        coverage.expect(result, e["index"], "invitation-form echo", [e["payload"]], "attribute")
    prober.check(anon, "login form", "/login")
    form = {"csrf_token": _csrf_token(anon), "email": everything, "password": ""}
    result = prober.check(anon, "login form refusing the corpus as an e-mail", "/login", post=form)
    _expect_status(coverage, result, 400)
    for e in entries:
        coverage.expect(result, e["index"], "login-form echo", [e["payload"]], "attribute")

    prober.check(editor, "new brief form", "/workspace/new/briefs")
    token = _csrf_token(editor)

    # One payload at a time where a page shows one document, person or request.
    for e in entries:
        i, pid, payload = e["index"], e["id"], e["payload"]
        result = prober.check(anon, f"public page of the brief for {pid!r}", e["doc_path"])
        coverage.expect(result, i, "title", [e["title"]], "text")
        coverage.expect(result, i, "summary", [e["summary"]], "text")
        coverage.expect(result, i, "tags", e["tags"], "text")
        coverage.expect(result, i, "body", [xs.body_marker(i)], "text")
        if e["filename"]:
            coverage.expect(result, i, ATTACHMENT_FIELD, [e["filename"]], "text")

        path = f"/workspace/documents/{e['doc_id']}"
        result = prober.check(editor, f"workspace page of the brief for {pid!r}", path)
        coverage.expect(result, i, "title", [e["title"]], "text")
        coverage.expect(result, i, "summary", [e["summary"]], "text")
        coverage.expect(result, i, "body", [xs.body_marker(i)], "text")
        coverage.expect(result, i, "workflow comment", [e["comment"]], "text")
        if e["filename"]:
            coverage.expect(result, i, ATTACHMENT_FIELD, [e["filename"]], "text")

        person.context.clear_cookies()
        person.context.add_cookies(corpus_sessions[e["email"]])
        result = prober.check(person, f"dashboard of the person named {pid!r}", "/workspace/")
        coverage.expect(result, i, "display name", [e["name"]], "text")
        coverage.expect(result, i, "title", [e["title"], e["queued_title"]], "text")
        coverage.expect(result, i, "workflow comment", [e["comment"], e["queued_comment"]], "text")

        query = "/search?q=" + urllib.parse.quote(payload, safe="")
        result = prober.check(anon, f"search for {pid!r}", query)
        coverage.expect(result, i, "search echo", [payload], "both")

        form = {
            "csrf_token": token, "title": payload, "summary": payload, "body": payload,
            "language": "en", "country": "GHA", "targets": payload, "tags": payload,
            "visibility": "public", "position": "0", "save": "1",
        }  # fmt: skip
        result = prober.check(
            editor, f"new-brief form refusing {pid!r} as SDG target", "/workspace/new/briefs",
            post=form,
        )  # fmt: skip
        _expect_status(coverage, result, 400)
        message = f"“{_first_target(payload)}” is not an SDG target code."
        coverage.expect(result, i, "sdg-target echo", [message], "text")
        coverage.expect(result, i, "form echo", [payload], "both")


@pytest.mark.parametrize("mode", list(MODES))
def test_no_stored_payload_executes_in_any_field_or_echo(
    mode, corpus, corpus_sessions, browser, t14_figures
):
    prober = xs.Prober(browser, corpus.url, bypass_csp=MODES[mode])
    coverage = xs.Coverage([pid for pid, _ in PAYLOADS])
    try:
        _check_corpus(prober, coverage, corpus, corpus_sessions)
    finally:
        prober.close()

    results = prober.results
    executed = [r for r in results if r.executions]
    with_dangerous = [r for r in results if r.dangerous]
    csp_reports = sum(len(r.csp_reports) for r in results)
    remote_images = sorted({url for r in results for url in r.remote_images})
    attachments = sum(1 for e in corpus.entries if e["filename"])
    expected = len(PAYLOADS) * len(FIELDS_PER_PAYLOAD) + attachments
    checks = len(coverage.render_checks)
    t14_figures[mode] = {
        "render_checks": checks,
        "attachments": attachments,
        "executions": len(executed),
        "csp_reports": csp_reports,
        "pages": len(results),
        "clicks": sum(r.clicked for r in results),
    }
    print(
        f"\nT-14 [{mode}]: render checks {checks}/{expected}, pages {len(results)} "
        f"({sum(r.seconds for r in results):.0f} s), clicks {t14_figures[mode]['clicks']}, "
        f"executions {len(executed)}, CSP violation reports {csp_reports}, pages with "
        f"dangerous markup {len(with_dangerous)}; remote images (img-src https:) "
        f"{remote_images}"
    )
    for line in _by_page_kind(
        [r for r in results if r.csp_reports], lambda r: r.csp_reports[0]
    ):  # fmt: skip
        print(f"  CSP reports: {line}")
    problems = []
    if executed:
        problems.append(f"payloads executed on {len(executed)} pages:")
        problems += _by_page_kind(executed, lambda r: r.executions[0])
    if with_dangerous:
        problems.append(f"handler attributes or dangerous URLs on {len(with_dangerous)} pages:")
        problems += _by_page_kind(with_dangerous, lambda r: r.dangerous[0])
    if coverage.missing or coverage.other:
        problems.append(
            f"{len(coverage.missing)} values not shown where they belong, or pages in an "
            "unexpected state:"
        )
        problems += coverage.report()
    if checks != expected and not coverage.missing:
        problems.append(f"render checks {checks}, expected {expected}")
    assert not problems, "\n".join(problems)


def _by_page_kind(results: list[xs.PageResult], example) -> list[str]:
    """One line per kind of page: which payloads (or which list pages), and one example."""
    kinds: dict[str, list[xs.PageResult]] = {}
    for r in results:
        kinds.setdefault(re.sub(r" '.*'", " …", r.label), []).append(r)
    lines = []
    for kind, group in kinds.items():
        names = [m.group(1) if (m := re.search(r"'(.*)'", r.label)) else r.url for r in group]
        lines.append(
            f"  {kind} ({len(group)}): {', '.join(names)}\n"
            f"    e.g. {group[0].url}: {str(example(group[0]))[:300]}"
        )
    return lines


CANARY = (
    '<img src="/canary-missing.png" onerror="alert(\'canary-img\')">'
    "<a href=\"javascript:confirm('canary-link')\">c</a>"
    '<svg width="40" height="40"><a href="javascript:prompt(\'canary-svg\')">'
    '<text y="20">s</text></a></svg>'
    '<button type="button" onclick="print()">b</button>'
    '<script src="https://evil.example/canary.js"></script>'
)


@pytest.mark.parametrize("mode", list(MODES))
def test_the_detectors_catch_markup_a_broken_sanitizer_would_let_through(mode, corpus, browser):
    """The guard behind the corpus run: served raw, the canary executes (or, under the CSP, is
    blocked and reported), and every witness sees it."""
    prober = xs.Prober(browser, corpus.url, bypass_csp=MODES[mode])
    page = prober.page()
    marker = '<main id="main" class="wrap" tabindex="-1">'

    def inject(route) -> None:
        response = route.fetch()
        html = response.text()
        assert marker in html, "the page layout changed: update the canary's insertion point"
        route.fulfill(response=response, body=html.replace(marker, marker + CANARY))

    page.route(corpus.url + "/about", inject)
    try:
        result = prober.check(page, "about page with the canary", "/about")
    finally:
        prober.close()
    print(
        f"\n[T-14 canary, {mode}] executions {result.executions}; CSP reports "
        f"{len(result.csp_reports)}; dangerous markup {result.dangerous}"
    )
    assert sorted(result.dangerous) == [
        "<a href=\"javascript:confirm('canary-link')\">",
        "<a href=\"javascript:prompt('canary-svg')\">",
        "<button onclick>",
        "<img onerror>",
    ]
    if MODES[mode]:
        hooks = {json.loads(x[5:])["kind"] for x in result.executions if x.startswith("hook ")}
        assert hooks == {"alert", "confirm", "prompt", "print"}, result.executions
        assert sum("dialog opened" in x for x in result.executions) == 3, result.executions
        assert any("off-site script request" in x for x in result.executions), result.executions
        assert not result.csp_reports
    else:
        assert result.executions == []
        assert len(result.csp_reports) >= 5, result.csp_reports
