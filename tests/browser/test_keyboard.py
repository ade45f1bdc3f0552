"""Keyboard use in Chromium: every element reached with Tab shows where focus is, and the skip
link takes focus past the header to the page's content."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/guidebook/",
    "/briefs/gha-roadmap-progress-2025",
    "/search?q=innovation",
    "/countries/gha",
    "/login",
    "/applications/apply",
]
PHONE = {"width": 390, "height": 844}
MAX_TABS = 200
# The focused element: how it is drawn and whether it is on screen. Each element is marked when
# first reached, so a second visit means Tab has gone round the whole page.
FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {none: true};
  const again = el.hasAttribute('data-kb-seen');
  el.setAttribute('data-kb-seen', '');
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = !!s.boxShadow && s.boxShadow !== 'none';
  const r = el.getBoundingClientRect();
  const inView = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
    && r.top < window.innerHeight && r.left < window.innerWidth;
  const name = (el.getAttribute('aria-label') || el.textContent || el.name || el.id || '')
    .trim().replace(/\\s+/g, ' ').slice(0, 40);
  const where = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.getAttribute('href') ? `[href="${el.getAttribute('href')}"]` : '');
  return {again, visible: outline || shadow, inView, what: `${where} "${name}"`,
          style: `outline ${s.outlineStyle} ${s.outlineWidth}; box-shadow ${s.boxShadow}`,
          rect: [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)]};
}"""


def _tab_through(page) -> tuple[int, list[str]]:
    """Tab until focus comes round again; returns how many elements and what was wrong."""
    problems, reached = [], 0
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUSED_JS)
        if state.get("none"):
            if reached:
                break  # past the last element, focus went back to the document
            continue
        if state["again"]:
            break
        reached += 1
        if not state["visible"]:
            problems.append(f"no visible focus on {state['what']} ({state['style']})")
        if not state["inView"]:
            problems.append(f"focused but off screen: {state['what']} at {state['rect']}")
    else:
        problems.append(f"Tab never came round after {MAX_TABS} presses")
    return reached, problems


@pytest.mark.parametrize("path", PAGES)
def test_every_element_reached_with_tab_shows_visible_focus_on_screen(hub_url, page, path):
    response = page.goto(hub_url + path)
    assert response is not None and response.status == 200
    reached, problems = _tab_through(page)
    print(f"\n[keyboard] {path}: {reached} elements reached with Tab, {len(problems)} problems")
    assert reached >= 5, f"{path}: only {reached} elements reachable with Tab"
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_focus_is_visible_on_a_phone_too(hub_url, new_page):
    page = new_page(PHONE)
    page.goto(hub_url + "/")
    reached, problems = _tab_through(page)
    print(f"\n[keyboard] / at 390 px: {reached} elements reached, {len(problems)} problems")
    assert reached >= 5 and not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["/", "/briefs/gha-roadmap-progress-2025"])
def test_skip_link_is_first_shows_on_focus_and_moves_focus_to_the_content(hub_url, page, path):
    page.goto(hub_url + path)
    page.keyboard.press("Tab")
    first = page.evaluate(
        """() => { const el = document.activeElement, r = el.getBoundingClientRect();
                   return {href: el.getAttribute('href'), text: el.textContent.trim(),
                           onScreen: r.left >= 0 && r.top >= 0 && r.right <= innerWidth
                                     && r.width > 0 && r.height > 0}; }"""
    )
    assert first["href"] and first["href"].startswith("#"), f"first Tab stop: {first}"
    assert first["onScreen"], f"the skip link stays off screen when focused: {first}"
    target = first["href"][1:]
    assert page.locator(f"#{target}").count() == 1, f"the skip link points at no #{target}"

    page.keyboard.press("Enter")
    focused = page.evaluate("() => document.activeElement.id")
    assert focused == target, f"after the skip link, focus is on #{focused!r}, not #{target}"
    page.keyboard.press("Tab")
    inside = page.evaluate(
        "(id) => document.getElementById(id).contains(document.activeElement)", target
    )
    where = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
    print(f"\n[skip link] {path}: {first['text']!r} -> #{target}; next Tab: {where}")
    assert inside, f"the Tab after the skip link left #{target}: {where}"


def test_the_focus_check_catches_a_link_drawn_without_focus(hub_url, page):
    """The guard behind the checks above: links stripped of outline and shadow are reported."""
    page.goto(hub_url + "/login")
    page.evaluate(
        """() => document.querySelectorAll('a').forEach(a => {
             a.style.setProperty('outline', 'none', 'important');
             a.style.setProperty('box-shadow', 'none', 'important'); })"""
    )
    _, problems = _tab_through(page)
    assert any(p.startswith("no visible focus on a") for p in problems), problems
