"""Example (illustrative) documents carry a visible "Example" label wherever they appear."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

CARD_PAGES = [
    "/",
    "/briefs/",
    "/experiences/",
    "/countries/gha",
    "/sdgs/2",
    "/areas/collaboration",
]
SEARCH_QUERIES = ["roadmap", "innovation"]


def _example_paths(content_docs) -> set[str]:
    paths = {d.url_path for d in content_docs if d.is_example and d.is_visible_to_anyone}
    assert paths, "content/ has no published example documents to check"
    return paths


def _check_items(page, items_selector: str, link_selector: str, examples: set[str], where: str):
    """Every item linking to an example shows a visible "Example"; other items show none."""
    failures, checked, labelled = [], 0, 0
    items = page.locator(items_selector)
    for i in range(items.count()):
        item = items.nth(i)
        href = item.locator(link_selector).first.get_attribute("href") or ""
        path = urlsplit(href).path
        label = item.get_by_text("Example", exact=True)
        checked += 1
        if path in examples:
            labelled += 1
            if label.count() == 0 or not label.first.is_visible():
                failures.append(f"{where}: item for example {path} has no visible 'Example' label")
        elif label.count() and label.first.is_visible():
            failures.append(f"{where}: item for {path} (not an example) shows an 'Example' label")
    return failures, checked, labelled


@pytest.mark.parametrize("path", CARD_PAGES)
def test_every_card_of_an_example_document_shows_the_example_label(
    hub_url, page, content_docs, path
):
    examples = _example_paths(content_docs)
    response = page.goto(hub_url + path)
    assert response is not None and response.status == 200
    failures, checked, labelled = _check_items(
        page, "main article.card", ":is(h2, h3) a", examples, path
    )
    print(f"\n[examples] {path}: {checked} cards checked, {labelled} of them examples")
    assert checked > 0, f"{path} shows no document cards"
    assert labelled > 0, f"{path} shows no example document, so nothing was verified"
    assert not failures, "\n".join(failures)


def test_listings_show_every_public_example_and_nothing_hidden(hub_url, page, content_docs):
    """/briefs/ and /experiences/ list every public example, and no draft or members-only one."""
    missing = []
    for kind_path in ("briefs", "experiences"):
        expected = {
            d.url_path
            for d in content_docs
            if d.is_example and d.is_visible_to_anyone and d.url_path.startswith(f"/{kind_path}/")
        }
        hidden = {d.url_path for d in content_docs if not d.is_visible_to_anyone}
        page.goto(f"{hub_url}/{kind_path}/")
        shown = set()
        while True:
            shown |= {
                urlsplit(h).path
                for h in page.locator("main article.card :is(h2, h3) a").evaluate_all(
                    "els => els.map(e => e.getAttribute('href'))"
                )
            }
            next_link = page.locator("nav.pagination a[rel=next]")
            if not next_link.count():
                break
            next_link.click()
            page.wait_for_load_state()
        missing += [f"/{kind_path}/ lacks {p}" for p in sorted(expected - shown)]
        missing += [f"/{kind_path}/ shows non-public {p}" for p in sorted(shown & hidden)]
        print(f"\n[examples] /{kind_path}/: {len(shown)} listed, {len(expected)} examples expected")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("query", SEARCH_QUERIES)
def test_every_search_result_for_an_example_shows_the_example_label(
    hub_url, page, content_docs, query
):
    examples = _example_paths(content_docs)
    page.goto(f"{hub_url}/search?q={query}")
    failures, checked, labelled, pages = [], 0, 0, 0
    while True:
        pages += 1
        f, c, n = _check_items(page, "main ol.results > li", "h3 a", examples, page.url)
        failures += f
        checked += c
        labelled += n
        next_link = page.locator("nav.pagination a[rel=next]")
        if not next_link.count() or pages >= 10:
            break
        next_link.click()
        page.wait_for_load_state()
    print(
        f"\n[examples] search {query!r}: {checked} results on {pages} page(s) checked, "
        f"{labelled} examples"
    )
    assert labelled > 0, f"search {query!r} returned no example document, so nothing was verified"
    assert not failures, "\n".join(failures)


def test_every_example_document_page_shows_the_example_label(hub_url, page, content_docs):
    examples = sorted(_example_paths(content_docs))
    failures = []
    for path in examples:
        response = page.goto(hub_url + path)
        if response is None or response.status != 200:
            failures.append(f"{path}: status {response and response.status}")
            continue
        label = page.locator("main article header").get_by_text("Example", exact=True)
        if label.count() == 0 or not label.first.is_visible():
            failures.append(f"{path}: no visible 'Example' label in the document header")
    print(f"\n[examples] {len(examples)} example document pages checked")
    assert not failures, "\n".join(failures)
