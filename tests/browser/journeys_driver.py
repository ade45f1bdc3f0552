"""One person's hands for the end-to-end journeys: every step done with the mouse, or with the
keyboard only (Tab, Shift+Tab, Enter, Space, arrow keys), so the same journey proves both.

With the keyboard, focus is moved only by pressing Tab until it reaches the element the step
needs, with a bound; each stop checks that the focused element shows a focus indicator. Text
is typed into the field that focus reached, never put there by script.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.browser  # helpers only; marked like every module of this folder

MAX_TABS = 250
# Whether ``el`` has focus and, if so, whether a focus indicator is drawn around it.
FOCUS_STATE_JS = """el => {
  if (el !== document.activeElement) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = !!s.boxShadow && s.boxShadow !== 'none';
  return {visible: outline || shadow,
          style: `outline ${s.outlineStyle} ${s.outlineWidth}; box-shadow ${s.boxShadow}`};
}"""
ACTIVE_JS = """() => { const el = document.activeElement;
  return el ? el.outerHTML.slice(0, 160) : '(nothing)'; }"""
SELECTED_INDEX_JS = """(el, value) => ({
  now: el.selectedIndex,
  want: Array.from(el.options).findIndex(o => o.value === value),
})"""


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = MAX_TABS) -> int:
    """Press Tab (Shift+Tab) until ``target`` has focus; fails after ``limit`` presses, or when
    focus reaches it without a visible indicator. Returns the number of presses."""
    key = "Shift+Tab" if backwards else "Tab"
    target.wait_for(state="attached")
    for presses in range(limit + 1):
        state = target.evaluate(FOCUS_STATE_JS)
        if state is not None:
            assert state["visible"], (
                f"focus reached {page.evaluate(ACTIVE_JS)} on {page.url} but shows no focus "
                f"indicator ({state['style']})"
            )
            return presses
        if presses < limit:
            page.keyboard.press(key)
    pytest.fail(
        f"{limit} presses of {key} on {page.url} never reached {target}; focus is on "
        f"{page.evaluate(ACTIVE_JS)}"
    )


class Hands:
    """Acts on ``page`` as a mouse user (``mode="mouse"``) or a keyboard user (``"keyboard"``)."""

    def __init__(self, page: Page, mode: str) -> None:
        assert mode in ("mouse", "keyboard"), mode
        self.page = page
        self.mode = mode
        self.keyboard = mode == "keyboard"
        self.stops = 0  # elements focus was brought to with Tab
        self.tabs = 0  # Tab and Shift+Tab presses that took it there
        self.last_tabs = 0  # presses the latest step needed

    def reach(self, target: Locator, *, backwards: bool = False) -> None:
        """Keyboard only: bring focus to ``target`` with Tab."""
        self.last_tabs = tab_to(self.page, target, backwards=backwards)
        self.tabs += self.last_tabs
        self.stops += 1

    def press(self, target: Locator, *, key: str = "Enter", backwards: bool = False) -> None:
        """Click ``target``, or Tab to it and press ``key``."""
        if self.keyboard:
            self.reach(target, backwards=backwards)
            self.page.keyboard.press(key)
        else:
            target.click()

    def follow(self, target: Locator, *, backwards: bool = False) -> None:
        """Activate a link or a submit button and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.press(target, backwards=backwards)

    def type_into(self, field: Locator, text: str, *, backwards: bool = False) -> None:
        """Replace what ``field`` holds with ``text``, as typed by the person."""
        if self.keyboard:
            self.reach(field, backwards=backwards)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.press("Delete")
            self.page.keyboard.insert_text(text)
        else:
            field.click()
            field.fill(text)
        assert field.input_value() == text.replace("\r\n", "\n")

    def tick(self, box: Locator) -> None:
        """Tick a check box (Space with the keyboard)."""
        self.press(box, key="Space")
        assert box.is_checked(), f"{box} is not ticked"

    def choose(self, select: Locator, value: str) -> None:
        """Choose an option of a <select>: arrow keys with the keyboard."""
        if not self.keyboard:
            select.select_option(value)
            return
        self.reach(select)
        for _ in range(400):
            where = select.evaluate(SELECTED_INDEX_JS, value)
            assert where["want"] >= 0, f"{select} has no option {value!r}"
            if where["now"] == where["want"]:
                break
            self.page.keyboard.press("ArrowDown" if where["now"] < where["want"] else "ArrowUp")
        assert select.input_value() == value, f"the arrow keys never chose {value!r} in {select}"

    @contextmanager
    def expecting_file_chooser(self, field: Locator):
        """Open the file chooser of a file input: Space on it, or a click."""
        with self.page.expect_file_chooser() as info:
            self.press(field, key="Space")
        yield info.value

    def log_in(self, base: str, email: str, password: str) -> None:
        self.page.goto(f"{base}/login")
        self.type_into(self.page.get_by_label("E-mail address"), email)
        self.type_into(self.page.get_by_label("Password", exact=True), password)
        self.follow(self.page.locator("main").get_by_role("button", name="Log in"))
        assert "/login" not in self.page.url, f"could not log in as {email}: {self.page.url}"
