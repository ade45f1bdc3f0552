"""Crawl the Hub from its home page and load every page in Chromium."""

from __future__ import annotations

from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

pytestmark = pytest.mark.browser

MAX_PAGES = 80
LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]'), a => ({
    href: a.href, download: a.hasAttribute('download')
}))"""


def _same_origin_pages(links: list[dict], origin: str) -> list[str]:
    urls = []
    for link in links:
        if link["download"]:
            continue  # attachments are files, not pages; test_attachments covers them
        url, _ = urldefrag(link["href"])
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.startswith("/attachments/"):
            continue
        urls.append(url)
    return urls


def test_every_crawled_page_loads_without_errors_or_csp_violations(hub_url, page, problems):
    origin = hub_url
    queue: deque[str] = deque([f"{hub_url}/"])
    seen = {f"{hub_url}/"}
    visited: list[str] = []
    bad_status: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        response = page.goto(url, wait_until="load")
        visited.append(url)
        if response is None or response.status != 200:
            bad_status.append(f"{url}: {response.status if response else 'no response'}")
            continue
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith("text/html"):
            bad_status.append(f"{url}: content-type {content_type!r}")
            continue
        for link in _same_origin_pages(page.evaluate(LINKS_JS), origin):
            if link not in seen:
                seen.add(link)
                queue.append(link)

    paths = sorted({urlsplit(u).path for u in visited})
    print(
        f"\n[crawl] {len(visited)} pages checked ({len(seen)} same-origin links discovered, "
        f"{len(paths)} distinct paths); bad status: {len(bad_status)}; "
        f"console errors: {len(problems.console_errors)}, "
        f"page errors: {len(problems.page_errors)}, "
        f"CSP violations: {len(problems.csp_violations)} "
        f"(favicon 404s, checked by test_favicon: {len(problems.favicon_errors)})"
    )
    assert len(visited) >= 40, f"the crawl found only {len(visited)} pages: {visited}"
    assert not bad_status, "pages that did not load with 200 text/html:\n" + "\n".join(bad_status)
    assert not problems.any(), "browser problems while crawling:\n" + problems.report()


def test_csp_blocks_an_injected_inline_script_and_the_violation_is_recorded(
    hub_url, page, problems
):
    """The guard behind the crawl: an inline script is refused by the CSP and shows up as such."""
    page.goto(f"{hub_url}/")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__inlineRan = true';
                   document.head.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    ran = page.evaluate("() => window.__inlineRan === true")
    print(f"\n[csp] inline script ran: {ran}; violations recorded: {len(problems.csp_violations)}")
    assert not ran, "the Content-Security-Policy let an inline script run"
    assert problems.csp_violations, "the CSP violation was not recorded: " + problems.report()
