"""Keyboard and link navigation: skip link, guidebook previous/next, the 404 page, and the
account menu with the accounts page on phone and desktop widths."""

from __future__ import annotations

import re
import sys
from urllib.parse import urlsplit

import pytest

from tests.browser.setup_commands import run_setup
from tests.browser.test_layout import overflow

pytestmark = pytest.mark.browser


def test_skip_link_appears_on_focus_and_moves_focus_to_main(hub_url, page):
    page.goto(f"{hub_url}/")
    skip = page.get_by_role("link", name="Skip to content")
    box = skip.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0, (
        f"skip link is on screen before focus: {box}"
    )

    page.keyboard.press("Tab")
    assert skip.evaluate("el => el === document.activeElement"), (
        "first Tab did not focus the skip link"
    )
    box = skip.bounding_box()
    viewport = page.viewport_size
    assert skip.is_visible()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, (
        f"focused skip link off screen: {box}"
    )
    assert (
        box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )

    page.keyboard.press("Enter")
    assert urlsplit(page.url).fragment == "main", page.url
    # Browsers move the sequential focus starting point to the target: the next Tab must reach
    # the first focusable element inside main, not the header navigation. (document.activeElement
    # itself stays on <body> unless main has tabindex="-1"; printed for information.)
    active = page.evaluate("() => document.activeElement.tagName")
    main_top = page.locator("main").bounding_box()
    page.keyboard.press("Tab")
    next_in_main = page.evaluate(
        "() => document.querySelector('main').contains(document.activeElement)"
    )
    next_focus = page.evaluate("() => document.activeElement.outerHTML.slice(0, 100)")
    print(
        f"\n[skip] after Enter: activeElement <{active}>, main top at "
        f"y={main_top and main_top['y']}; next Tab focuses {next_focus}"
    )
    assert next_in_main, f"the Tab after the skip link went to {next_focus}, outside main"


def test_guidebook_next_links_walk_the_whole_tree_in_order(hub_url, page):
    page.goto(f"{hub_url}/guidebook/")
    tree = page.locator("main nav.toc li").evaluate_all(
        "els => els.map(li => li.querySelector('a')?.getAttribute('href') ?? null)"
    )
    assert tree and all(tree), f"guidebook tree entries without a link: {tree}"

    walked = [tree[0]]
    page.goto(hub_url + tree[0])
    previous_path = None
    problems = []
    while True:
        here = urlsplit(page.url).path
        prev_link = page.locator("main nav.prev-next a[rel=prev]")
        prev_href = prev_link.get_attribute("href") if prev_link.count() else None
        if prev_href != previous_path:
            problems.append(f"{here}: previous link is {prev_href}, expected {previous_path}")
        current = page.locator("main nav.toc [aria-current=page]")
        if current.count() != 1:
            problems.append(f"{here}: the tree marks {current.count()} entries as current")
        next_link = page.locator("main nav.prev-next a[rel=next]")
        if not next_link.count():
            break
        href = next_link.get_attribute("href")
        if href in walked:
            pytest.fail(f"the next links loop: {here} -> {href} after {walked}")
        if len(walked) > len(tree):
            pytest.fail(f"walked {len(walked)} sections, more than the {len(tree)} in the tree")
        walked.append(href)
        previous_path = here
        with page.expect_navigation():
            next_link.click()

    print(f"\n[guidebook] {len(tree)} tree entries; walked {len(walked)} sections via next links")
    assert len(walked) == len(tree), f"walked {len(walked)} of {len(tree)} sections: {walked}"
    assert walked == tree, f"next-link order differs from the tree:\n{walked}\n{tree}"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["/no-such-page", "/briefs/no-such-brief"])
def test_missing_page_shows_a_helpful_404_that_links_home(hub_url, page, path):
    response = page.goto(hub_url + path)
    assert response is not None and response.status == 404, response and response.status
    heading = page.locator("main h1")
    message = page.locator("main .error p").first
    text = message.inner_text().strip() if message.count() else ""
    print(f"\n[404] {path}: h1={heading.inner_text()!r} message={text!r}")
    assert heading.is_visible()
    # Helpful = says what happened and what to do about it, not just "Not found.".
    assert message.is_visible() and len(text.split()) >= 6, (
        f"{path}: the 404 message is not helpful: {text!r} (under heading {heading.inner_text()!r})"
    )
    home = page.locator('main a[href="/"]')
    assert home.count() >= 1 and home.first.is_visible(), "the 404 page has no visible link home"
    with page.expect_navigation():
        home.first.click()
    assert urlsplit(page.url).path == "/"
    assert page.locator("main h1").is_visible()


# --- the account menu and the accounts page, in a Hub of their own -------------------------

MENU_PASSWORD = "navigation-browser-pw-1"
MENU_ADMIN = "admin@navigation.test"
MENU_FOCAL = "fp.gha@navigation.test"
# A long name, as people have: the menu must shorten it, not widen the header.
FOCAL_NAME = "Akosua Adomaa Owusu-Ansah Boateng-Mensah"
WIDTHS = {"narrowest": 320, "phone": 390, "desktop": 1280}


@pytest.fixture(scope="module")
def accounts_hub(isolated_hub) -> str:
    """A Hub with an administrator and a focal point of Ghana made by ``hub create-user``."""

    def prepare(instance) -> None:
        flask = [sys.executable, "-m", "flask", "--app", "wsgi", "hub", "create-user"]
        for email, name, extra in (
            (MENU_ADMIN, "Hub Administrator", ["--role", "admin"]),
            (MENU_FOCAL, FOCAL_NAME, ["--role", "focal_point", "--country", "GHA"]),
        ):
            run_setup(
                [*flask, "--email", email, "--name", name, *extra, "--password", MENU_PASSWORD],
                instance.env,
            )

    return isolated_hub("navigation", {}, prepare).url


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", MENU_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/workspace/$"))


def _focus_ring(page) -> str:
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle === 'none' ? '' : s.outlineStyle + ' ' + s.outlineWidth; }"
    )


def _tab_to(page, predicate_js: str, limit: int = 60) -> str:
    """Press Tab until the focused element satisfies ``predicate_js`` (a function of it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => ({predicate_js})(document.activeElement)"):
            return page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")
    pytest.fail(f"Tab never reached an element matching {predicate_js}")


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_account_menu_opens_and_logs_out_with_the_keyboard_alone(
    accounts_hub, new_page, problems, width_name
):
    page = new_page({"width": WIDTHS[width_name], "height": 800})
    _log_in(page, accounts_hub, MENU_FOCAL)
    page.goto(f"{accounts_hub}/briefs/")
    summary = page.locator("details.user-menu > summary")
    name = summary.evaluate("el => el.textContent.replace(/\\s+/g, ' ').trim()")
    assert name == f"Your account: {FOCAL_NAME}", name

    _tab_to(page, "el => el.matches('details.user-menu > summary')")
    assert _focus_ring(page), "the menu's summary has no visible focus ring"
    panel = page.locator(".user-menu-panel")
    assert not panel.is_visible()
    page.keyboard.press("Enter")
    assert panel.is_visible(), "Enter on the summary did not open the menu"
    assert "Focal point · Ghana" in panel.inner_text()
    if wide := overflow(page):
        pytest.fail(f"{width_name}: the open menu widens the page: {wide}")
    box = panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[width_name]

    _tab_to(page, "el => el.matches('.user-menu-panel button')")
    assert _focus_ring(page), "Log out has no visible focus ring"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("details.user-menu").count() == 0, "still logged in after Log out"
    assert page.get_by_role("link", name="Log in").first.is_visible()
    assert not problems.any(), problems.report()


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_header_with_the_account_menu_fits_every_width(accounts_hub, new_page, width_name):
    page = new_page({"width": WIDTHS[width_name], "height": 800})
    _log_in(page, accounts_hub, MENU_FOCAL)
    failures = []
    for path in ("/", "/workspace/", "/search?q=roadmap", "/privacy", "/search-api"):
        page.goto(accounts_hub + path)
        if wide := overflow(page):
            failures.append(f"{path} (menu closed): {wide}")
        page.locator("details.user-menu > summary").click()
        if wide := overflow(page):
            failures.append(f"{path} (menu open): {wide}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("width_name", ["narrowest", "phone"])
def test_accounts_page_fits_a_phone_with_every_column_visible(accounts_hub, new_page, width_name):
    width = WIDTHS[width_name]
    page = new_page({"width": width, "height": 800})
    _log_in(page, accounts_hub, MENU_ADMIN)
    page.goto(f"{accounts_hub}/admin/users")
    assert not (wide := overflow(page)), wide
    row = page.locator("table.people tbody tr", has_text=MENU_FOCAL)
    for label in ("Role", "Actions"):
        cell = row.locator(f"[data-label='{label}']")
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (label, box)
    assert row.get_by_role("link", name=f"Change role of {FOCAL_NAME}").is_visible()
    own = page.locator("table.people tbody tr", has_text=MENU_ADMIN)
    assert "(you)" in own.inner_text()
    assert own.get_by_role("link").count() == 0 and own.get_by_role("button").count() == 0


def test_disabling_an_account_asks_first(accounts_hub, new_page):
    page = new_page()
    _log_in(page, accounts_hub, MENU_ADMIN)
    page.goto(f"{accounts_hub}/admin/users")
    row = page.locator("table.people tbody tr", has_text=MENU_FOCAL)
    with page.expect_navigation():
        row.get_by_role("link", name=re.compile("^Disable")).click()
    assert page.locator("main h1").inner_text() == f"Disable the account of {FOCAL_NAME}?"
    with page.expect_navigation():
        page.get_by_role("link", name="Cancel").click()
    row = page.locator("table.people tbody tr", has_text=MENU_FOCAL)
    assert "Active" in row.inner_text(), "cancelling still disabled the account"
