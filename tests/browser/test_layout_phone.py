"""Phone and print layout in Chromium: the reporting key, tables in texts, "At a glance", SDG
tiles, the controls' one style, and the print stylesheet."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BRIEF_WITH_TABLE = "/briefs/gha-roadmap-progress-2025"


def test_reporting_key_gives_each_meaning_the_full_width_on_a_phone(hub_url, new_page):
    page = new_page(PHONE)
    page.goto(f"{hub_url}/reporting/")
    widths = page.eval_on_selector_all(
        ".reporting-key dd", "els => els.map(e => e.getBoundingClientRect().width)"
    )
    assert widths and min(widths) > 300, widths


def test_a_table_in_a_text_scrolls_in_a_focusable_labelled_box(hub_url, new_page):
    page = new_page(PHONE)
    page.goto(hub_url + BRIEF_WITH_TABLE)
    box = page.locator(".body .table-scroll").first
    assert box.get_attribute("role") == "region"
    label = box.get_attribute("aria-label")
    assert label.startswith("Table ") and label.endswith(", scrolls sideways"), label
    box.focus()
    assert page.evaluate("document.activeElement.classList.contains('table-scroll')")
    # The page itself never scrolls sideways: a wide table scrolls inside its box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_at_a_glance_comes_before_the_text_on_a_phone_only(hub_url, new_page):
    phone = new_page(PHONE)
    phone.goto(hub_url + BRIEF_WITH_TABLE)
    glance = phone.locator(".at-a-glance")
    assert glance.is_visible()
    glance_top = glance.bounding_box()["y"]
    assert glance_top < phone.locator(".document > .body").bounding_box()["y"]
    assert not phone.locator(".facts dt.in-glance").first.is_visible()

    desktop = new_page(DESKTOP)
    desktop.goto(hub_url + BRIEF_WITH_TABLE)
    assert not desktop.locator(".at-a-glance").is_visible()
    assert desktop.locator(".facts dt.in-glance").first.is_visible()


def test_sdg_tiles_have_equal_heights(hub_url, new_page):
    page = new_page(DESKTOP)
    page.goto(f"{hub_url}/sdgs/")
    heights = page.eval_on_selector_all(
        ".goal-grid .sdg", "els => els.map(e => Math.round(e.getBoundingClientRect().height))"
    )
    assert len(heights) == 17 and len(set(heights)) == 1, heights


def test_application_form_buttons_share_the_hub_button_styles(hub_url, new_page):
    page = new_page(DESKTOP)
    page.goto(f"{hub_url}/applications/apply")
    style = "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.borderTopWidth]; }"
    submit = page.eval_on_selector(".application-form .actions button[type=submit]", style)
    add = page.eval_on_selector("#add-focal-point", style)
    assert submit == ["rgb(0, 90, 158)", "2px"]  # primary: the accent colour
    assert add == ["rgb(255, 255, 255)", "2px"]  # secondary: outlined


def test_print_hides_navigation_and_forms_and_keeps_the_example_label(hub_url, new_page):
    page = new_page(DESKTOP)
    page.goto(hub_url + BRIEF_WITH_TABLE)
    page.emulate_media(media="print")
    assert not page.locator("header.site nav").is_visible()
    assert not page.locator("form.search-box").is_visible()
    assert page.locator(".label.example").first.is_visible()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in (
        "rgb(255, 255, 255)",
        "rgba(0, 0, 0, 0)",
    )


def test_printable_guidebook_has_its_contents_and_sections(hub_url, new_page):
    page = new_page(DESKTOP)
    page.goto(f"{hub_url}/guidebook/print")
    links = page.locator(".guidebook-print nav.toc a")
    assert links.count() >= 2
    first = links.first.get_attribute("href")
    assert page.locator(f"section{first}").count() == 1
