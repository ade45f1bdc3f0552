"""Screenshots for people to look at: home (desktop and phone) and a brief."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

SHOTS = [
    ("home-desktop.png", "/", {"width": 1280, "height": 900}),
    ("home-phone.png", "/", {"width": 390, "height": 844}),
    ("brief-desktop.png", "/briefs/gha-roadmap-progress-2025", {"width": 1280, "height": 900}),
]


def test_screenshots_of_home_and_a_brief_are_saved(hub_url, new_page, screenshot_dir):
    saved = []
    for name, path, viewport in SHOTS:
        page = new_page(viewport)
        response = page.goto(hub_url + path)
        assert response is not None and response.status == 200
        target = screenshot_dir / name
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 1000, f"{target} looks empty"
        saved.append(target)
    print("\n[screenshots]\n" + "\n".join(f"  {p}" for p in saved))
