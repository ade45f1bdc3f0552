"""The writing form in Chromium: Preview leads the eye to the preview, choices sit beside labels."""

from __future__ import annotations

import secrets

import pytest

from tests.browser.conftest import _venv_bin
from tests.browser.setup_commands import run_setup

pytestmark = pytest.mark.browser

PASSWORD = "a long and unusual browser passphrase 31"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def focal_point(hub_url, hub_env) -> str:
    """A focal point of Ghana, made with the Hub's own command."""
    email = f"authoring-{secrets.token_hex(4)}@example.org"
    run_setup(
        [str(_venv_bin("flask")), "--app", "wsgi", "hub", "create-user", "--email", email,
         "--name", "Authoring Tester", "--role", "focal_point", "--country", "GHA",
         "--password", PASSWORD],
        hub_env,
    )  # fmt: skip
    return email


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        "el => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }",
    )


@pytest.mark.parametrize("size", WIDTHS)
def test_after_preview_the_preview_heading_is_in_view_and_the_entries_are_kept(
    hub_url, focal_point, new_page, problems, size
):
    page = new_page(viewport=WIDTHS[size])
    _login(page, hub_url, focal_point)
    page.goto(f"{hub_url}/workspace/new/briefs")
    page.fill("#title", "Solar dryers for cassava")
    page.fill("#body", "## Results\n\nDrying time fell by **half**.")
    page.check("input[name=goals][value='7']")
    page.check("input[name=visibility][value='members']")
    page.locator("button[name=preview]").click()
    page.wait_for_load_state()

    print(f"\n[preview {size}] url {page.url}, scroll {page.evaluate('window.scrollY')}")
    assert page.locator("#preview-h").is_visible()
    assert _in_viewport(page, "#preview-h"), "the preview heading is outside the viewport"
    assert page.locator("#preview strong").inner_text() == "half"
    assert page.input_value("#title") == "Solar dryers for cassava"
    assert page.is_checked("input[name=goals][value='7']")
    assert page.is_checked("input[name=visibility][value='members']")
    assert not problems.any(), problems.report()


@pytest.mark.parametrize("size", WIDTHS)
def test_each_check_box_and_radio_sits_beside_its_label(hub_url, focal_point, new_page, size):
    page = new_page(viewport=WIDTHS[size])
    _login(page, hub_url, focal_point)
    page.goto(f"{hub_url}/workspace/new/briefs")

    for box in ("#goals-8", "#areas-1", "#visibility-1"):
        label = page.locator(f"label[for='{box[1:]}']")
        box_rect, label_rect = page.locator(box).bounding_box(), label.bounding_box()
        assert label_rect["x"] > box_rect["x"], f"{box}: the label is not after its box"
        assert abs(label_rect["y"] - box_rect["y"]) < box_rect["height"] + 4, (
            f"{box}: the label is not on the box's line ({box_rect}, {label_rect})"
        )
        bullet = page.eval_on_selector(
            box, "el => getComputedStyle(el.closest('li')).listStyleType"
        )
        assert bullet == "none", f"{box}: the choice has a bullet"
