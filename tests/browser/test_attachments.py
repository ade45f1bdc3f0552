"""Attachment downloads, and no inline script on a document page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

BRIEF = "/briefs/gha-roadmap-progress-2025"


def test_attachment_link_downloads_the_pdf_as_an_attachment(hub_url, page):
    page.goto(hub_url + BRIEF)
    link = page.locator("main ul.attachments a").first
    assert link.is_visible(), "the Ghana 2025 brief shows no attachment link"
    href = link.get_attribute("href")

    response = page.request.get(hub_url + href)
    disposition = response.headers.get("content-disposition", "")
    print(
        f"\n[attachment] {href}: {response.status} {response.headers.get('content-type')}; "
        f"Content-Disposition: {disposition}"
    )
    assert response.status == 200
    assert disposition.startswith("attachment"), disposition
    assert "ghana-2025-annex.pdf" in disposition
    assert response.headers.get("content-type", "").startswith("application/pdf")
    assert response.body().startswith(b"%PDF")

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == "ghana-2025-annex.pdf"


def test_document_page_has_no_inline_script(hub_url, page):
    page.goto(hub_url + BRIEF)
    inline = page.locator("script:not([src])")
    scripts = page.locator("script")
    print(f"\n[scripts] {BRIEF}: {scripts.count()} script elements, {inline.count()} inline")
    assert inline.count() == 0, inline.evaluate_all(
        "els => els.map(e => e.outerHTML.slice(0, 200))"
    )
