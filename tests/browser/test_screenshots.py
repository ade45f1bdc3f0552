"""Screenshots for people to look at: the main pages on a desktop (1280 px) and a phone (390 px).

``make screenshots`` writes them to docs/screenshots/ (HUB_SCREENSHOT_DIR); otherwise they go to a
temporary folder. Each shot is one screen high (not the full page) to keep the PNGs small.
"""

from __future__ import annotations

import pytest

from tests.browser import a11y_pages
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
PAGES = [
    ("home", "/"),
    ("guidebook-section", "/guidebook/preparing-the-roadmap"),
    ("brief", "/briefs/gha-roadmap-progress-2025"),
    ("search-results", "/search?q=innovation"),
    ("countries", "/countries/"),
    ("country-profile", "/countries/gha"),
]
SHOTS = [
    (f"{name}-{kind}.png", path, VIEWPORTS[kind]) for name, path in PAGES for kind in VIEWPORTS
]
# (file stem, path over the seeded ids, role that is logged in)
SIGNED_IN = [
    ("workspace-dashboard-focal-point", "/workspace/", "focal_point"),
    ("review-editor", "/workspace/documents/{submitted_id}", "editor"),
]
MAX_BYTES = 400_000  # one screen of the Hub compresses far below this


def _shoot(page, target) -> None:
    page.screenshot(path=str(target), full_page=False)
    size = target.stat().st_size
    assert size > 1000, f"{target} looks empty"
    assert size < MAX_BYTES, f"{target} is {size} bytes: too big for docs/"


def test_screenshots_of_home_and_a_brief_are_saved(hub_url, new_page, screenshot_dir):
    saved = []
    for name, path, viewport in SHOTS:
        page = new_page(viewport)
        response = page.goto(hub_url + path)
        assert response is not None and response.status == 200
        target = screenshot_dir / name
        _shoot(page, target)
        saved.append(target)
    print("\n[screenshots]\n" + "\n".join(f"  {p}" for p in saved))


def test_screenshots_of_the_workspace_and_the_review_screen_are_saved(
    seeded_hub, browser, screenshot_dir
):
    base, seeded = seeded_hub["url"], seeded_hub["seeded"]
    saved = []
    for stem, path, role in SIGNED_IN:
        context = browser.new_context(viewport=DESKTOP)
        try:
            page = context.new_page()
            log_in(page, base, a11y_pages.ACCOUNTS[role], a11y_pages.PASSWORD)
            for kind, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)
                response = page.goto(base + path.format(**seeded))
                assert response is not None and response.status == 200, f"{role} {path}"
                target = screenshot_dir / f"{stem}-{kind}.png"
                _shoot(page, target)
                saved.append(target)
        finally:
            context.close()
    print("\n[screenshots]\n" + "\n".join(f"  {p}" for p in saved))
