"""Browsers ask every site for an icon; without one Chromium logs a 404 console error."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_site_serves_a_favicon(hub_url, page):
    page.goto(f"{hub_url}/")
    declared = page.locator("link[rel~=icon]").evaluate_all("els => els.map(e => e.href)")
    candidates = declared or [f"{hub_url}/favicon.ico"]
    statuses = {url: page.request.get(url).status for url in candidates}
    print(f"\n[favicon] <link rel=icon>: {declared or 'none'}; statuses: {statuses}")
    missing = {url: status for url, status in statuses.items() if status != 200}
    assert not missing, (
        f"no favicon: {missing} (the pages declare no <link rel=icon>, so Chromium requests "
        "/favicon.ico and logs 'Failed to load resource: ... 404' in the console)"
    )
