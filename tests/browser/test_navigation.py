"""Keyboard and link navigation: skip link, guidebook previous/next, the 404 page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

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
