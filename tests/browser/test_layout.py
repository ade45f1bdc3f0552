"""Responsive layout: no page scrolls sideways and the main heading shows, on phone and desktop."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PAGES = [
    "/",
    "/briefs/gha-roadmap-progress-2025",  # has Markdown tables
    "/guidebook/",
    "{first_section}",
    "/search?q=innovation",
    "/countries/gha",
    "/sdgs/2",
    "/countries/",
    "/applications/apply",  # the longest form: focal-point rows, consent, character count
    "/reporting/",
    "/peer-learning/",
]
# Elements that stick out past the right edge of the viewport, ignoring those clipped by an
# ancestor that scrolls or hides its overflow (a table scrolling inside its own box is fine).
OFFENDERS_JS = """() => {
  const limit = window.innerWidth + 1;
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > limit && !clipped(el)) {
      const cls = typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      const text = (el.textContent || '').trim().slice(0, 40);
      out.push(`${el.tagName.toLowerCase()}${cls} right=${Math.round(r.right)} "${text}"`);
    }
  }
  return out.slice(0, 8);
}"""


@pytest.fixture(scope="module")
def first_section(hub_url, browser) -> str:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{hub_url}/guidebook/")
        href = page.locator("nav.toc a").first.get_attribute("href")
    finally:
        context.close()
    assert href and href.startswith("/guidebook/"), f"no section link in the guidebook tree: {href}"
    return href


def overflow(page) -> str | None:
    """Why the page is wider than the window (what sticks out), or None when it fits."""
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    if widths["scroll"] > widths["inner"] + 1:
        return (
            f"scrollWidth {widths['scroll']} > innerWidth {widths['inner']}; "
            f"sticking out: {page.evaluate(OFFENDERS_JS)}"
        )
    return None


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_pages_do_not_overflow_horizontally_and_show_their_heading(
    hub_url, new_page, first_section, viewport_name
):
    viewport = VIEWPORTS[viewport_name]
    page = new_page(viewport)
    failures = []
    for template in PAGES:
        path = template.format(first_section=first_section)
        response = page.goto(hub_url + path)
        assert response is not None and response.status == 200, (
            f"{path}: {response and response.status}"
        )
        if wide := overflow(page):
            failures.append(f"{path}: {wide}")
        heading = page.locator("main h1").first
        if not heading.is_visible():
            failures.append(f"{path}: main h1 is not visible")
    print(
        f"\n[layout] {viewport_name} {viewport['width']}x{viewport['height']}: "
        f"{len(PAGES)} pages checked"
    )
    assert not failures, "\n".join(failures)
