"""Searching from the home page, by keyboard, and finding words inside PDF attachments."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

CANONICAL = re.compile(r"^/(briefs|experiences|guidebook)/[a-z0-9][a-z0-9-]*$")
PDF_WORD = "Quorvanta"
PDF_BRIEF = "/briefs/gha-roadmap-progress-2025"


def test_home_search_works_with_the_keyboard_alone(hub_url, page, problems):
    page.goto(f"{hub_url}/")
    # Tab from the top of the page until the home search box has focus; no mouse involved.
    presses = 0
    while page.evaluate("() => document.activeElement && document.activeElement.id") != "home-q":
        if presses == 40:
            pytest.fail("40 Tab presses never reached the home page search box (#home-q)")
        page.keyboard.press("Tab")
        presses += 1
    page.keyboard.type("innovation")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    url = urlsplit(page.url)
    assert url.path == "/search", f"Enter in the search box went to {page.url}"
    assert parse_qs(url.query).get("q") == ["innovation"], page.url
    links = page.locator("main ol.results > li h3 a")
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    print(f"\n[search] reached search box after {presses} Tab presses; {len(hrefs)} result links")
    assert hrefs, "the search for 'innovation' returned no results"
    wrong = [h for h in hrefs if not CANONICAL.match(urlsplit(h).path) or urlsplit(h).query]
    assert not wrong, f"result links that are not canonical document URLs: {wrong}"

    title = links.first.inner_text().strip()
    with page.expect_navigation():
        links.first.click()
    assert urlsplit(page.url).path == urlsplit(hrefs[0]).path
    h1 = page.locator("main h1")
    assert h1.count() == 1, f"{page.url} has {h1.count()} h1 elements in main"
    assert h1.inner_text().strip() == title
    assert not problems.any(), problems.report()


def test_word_only_in_a_pdf_attachment_finds_the_brief_with_an_attachment_snippet(
    hub_url, page, content_docs
):
    brief = next(d for d in content_docs if d.url_path == PDF_BRIEF)
    assert PDF_WORD.lower() not in brief.path.read_text(encoding="utf-8").lower(), (
        f"precondition: {PDF_WORD!r} must occur only in the PDF, not in {brief.path}"
    )
    page.goto(f"{hub_url}/search?q={PDF_WORD}")
    results = page.locator("main ol.results > li")
    hit = results.filter(has=page.locator(f'h3 a[href="{PDF_BRIEF}"]'))
    print(f"\n[search] {PDF_WORD!r}: {results.count()} result(s)")
    found = results.locator("h3 a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hit.count() == 1, f"search for {PDF_WORD!r} did not return {PDF_BRIEF}; results: {found}"
    snippet = hit.locator(".snippet")
    text = snippet.inner_text()
    print(f"[search] snippet: {text!r}")
    assert "attached PDF" in text, f"the snippet does not say the match is in the PDF: {text!r}"
    marked = snippet.locator("mark").all_inner_texts()
    assert any(PDF_WORD.lower() in m.lower() for m in marked), (
        f"the snippet does not highlight {PDF_WORD!r}: marks {marked}"
    )
