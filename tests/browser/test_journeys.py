"""End-to-end journeys in Chromium, each done twice: with the mouse, and with the keyboard only.

1. A focal point of Ghana writes a brief with a PDF; the Secretariat asks for changes, then
   publishes it; a visitor finds it by search; a correction goes through review while the
   published page stays as it was, then replaces its text at the same address.
2. An editor edits a guidebook section and rearranges the guidebook; a reader on a phone
   compares two revisions of the section.
3. An administrator invites a member by e-mail (a real SMTP server on localhost); the member
   sets a password, lands logged in, and logs out from the account menu.

One Hub of their own serves all of them (``isolated_hub``), seeded by ``journeys_seed``; every
run uses its own titles, so the two runs of a journey do not meet.
"""

from __future__ import annotations

import json
import re
import secrets
import string
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fpdf import FPDF
from playwright.sync_api import Page

from tests.browser.journeys_driver import Hands, tab_to
from tests.browser.journeys_seed import ADMIN, EDITOR, GHANA_FP, PASSWORD, SECTION_BODY
from tests.browser.setup_commands import run_setup
from tests.mailserver import running_server

pytestmark = pytest.mark.browser

MODES = ("mouse", "keyboard")
PHONE = {"width": 390, "height": 844}
SEARCH_WAIT_S = 2.0
IN_VIEW_JS = """el => { const r = el.getBoundingClientRect();
  return r.top >= 0 && r.top < window.innerHeight && r.height > 0; }"""
OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture(scope="module")
def journey_hub(isolated_hub) -> Iterator[dict]:
    """A Hub with the journeys' people and sections whose mail goes to a local SMTP server."""
    with running_server() as mail:
        seeded: dict = {}

        def prepare(instance) -> None:
            out = instance.folder / "seed.json"
            run_setup([sys.executable, "-m", "tests.browser.journeys_seed", "seed", str(out)],
                      instance.env)  # fmt: skip
            seeded.update(json.loads(out.read_text(encoding="utf-8")))

        extra = {"HUB_MAIL_SERVER": mail.host, "HUB_MAIL_PORT": str(mail.port)}
        instance = isolated_hub("journeys", extra, prepare)
        yield {"url": instance.url, "mail": mail, **seeded}


def _word() -> str:
    """A word no other document holds, so that search finds this run's brief only."""
    return "kente" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))


def _pdf(folder: Path, name: str, text: str) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    path = folder / name
    pdf.output(str(path))
    assert path.read_bytes().startswith(b"%PDF")
    return path


def _report(name: str, *people: Hands) -> None:
    if people[0].keyboard:
        stops, tabs = sum(p.stops for p in people), sum(p.tabs for p in people)
        print(f"\n[journey {name}] keyboard: focus brought to {stops} elements in {tabs} tabs")


def _flash(page: Page) -> str:
    """The page's flash messages; fails with what the page says instead when there are none."""
    flashes = page.locator(".flashes")
    if not flashes.count():
        pytest.fail(
            f"no message on {page.url}; the page says:\n{page.locator('main').inner_text()}"
        )
    return flashes.inner_text()


def _button(page: Page, name: str):
    return page.locator("main").get_by_role("button", name=name, exact=True)


def _queue_link(page: Page, title: str):
    queue = page.locator("main section").filter(
        has=page.get_by_role("heading", name="Waiting for review")
    )
    return queue.get_by_role("link", name=title, exact=True)


def _document_link(page: Page, title: str):
    documents = page.locator("main section").filter(
        has=page.get_by_role("heading", name="Documents")
    )
    return documents.get_by_role("link", name=title, exact=True)


# --- 1. a brief from draft to a published correction ---------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_brief_goes_from_draft_through_review_to_search_and_a_correction(
    journey_hub, new_page, problems, tmp_path, mode
):
    base = journey_hub["url"]
    word = _word()
    title = f"Solar drying for cassava farmers ({mode} {word[-4:]})"
    old_sentence = "Drying time fell by half in the pilot districts."
    new_sentence = "Drying time fell by two thirds in the pilot districts."
    body = f"## Results\n\nThe {word} pilot reached forty farms.\n\n{old_sentence}\n"
    pdf_name = f"annex-{mode}.pdf"
    pdf = _pdf(tmp_path, pdf_name, f"Illustrative annex of the {word} pilot.")

    fp = Hands(new_page(), mode)
    fp.log_in(base, GHANA_FP, PASSWORD)
    page = fp.page
    fp.follow(page.get_by_role("link", name="New policy brief"))
    fp.type_into(page.get_by_label("Title", exact=True), title)
    fp.type_into(page.get_by_label("Summary (plain text)"), "Example: cassava dries faster.")
    fp.type_into(page.get_by_label("Text (Markdown)"), body)
    fp.follow(_button(page, "Preview"))
    heading = page.get_by_role("heading", name="Preview (not saved yet)")
    assert heading.evaluate(IN_VIEW_JS), "after Preview the preview is not in view"
    assert word in page.locator("#preview").inner_text()
    assert page.get_by_label("Text (Markdown)").input_value() == body
    fp.follow(_button(page, "Save draft"))
    assert "Draft saved." in _flash(page)

    file_field = page.get_by_label("PDF file")
    with fp.expecting_file_chooser(file_field) as chooser:
        chooser.set_files(str(pdf))
    fp.follow(_button(page, "Upload PDF"))
    assert "Attached." in _flash(page)
    fp.follow(_button(page, "Submit for review"))
    assert "Submitted for review" in _flash(page)
    brief_path = urlsplit(page.url).path

    # The Secretariat opens it, reads the PDF and asks for a change.
    editor = Hands(new_page(), mode)
    editor.log_in(base, EDITOR, PASSWORD)
    ed = editor.page
    editor.follow(_queue_link(ed, title))
    assert urlsplit(ed.url).path == brief_path
    pdf_link = ed.locator("main ul.attachments").get_by_role("link", name=pdf_name)
    answer = ed.context.request.get(base + pdf_link.get_attribute("href"))
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/pdf")
    assert answer.body() == pdf.read_bytes()
    with ed.expect_download() as download:
        editor.press(pdf_link)
    assert download.value.suggested_filename == pdf_name
    assert download.value.failure() is None
    comment = "Please say how many farms took part in the pilot."
    editor.type_into(ed.get_by_label(re.compile("^What needs to change")), comment)
    editor.follow(_button(ed, "Request changes"))
    assert "Changes requested" in _flash(ed)

    # The focal point finds the request at the top of the brief, edits and sends it again.
    page.goto(f"{base}/workspace/")
    fp.follow(_document_link(page, title))
    request_box = page.locator("section.change-request")
    assert request_box.evaluate(IN_VIEW_JS), "the change request is not at the top of the page"
    assert comment in request_box.inner_text()
    fp.follow(request_box.get_by_role("link", name="Edit the document"))
    fp.type_into(page.get_by_label("Text (Markdown)"), body + "\nForty farms took part.\n")
    fp.follow(_button(page, "Save"))
    assert "Saved." in _flash(page)
    fp.follow(_button(page, "Submit for review"))

    # The Secretariat publishes, after confirming.
    ed.goto(f"{base}/workspace/")
    editor.follow(_queue_link(ed, title))
    editor.tick(ed.get_by_label(re.compile("^I have checked the text")))
    editor.follow(_button(ed, "Publish"))
    assert "Published" in _flash(ed)
    public_path = ed.get_by_role("link", name="See the published page").get_attribute("href")

    # A visitor finds it by a word of its text.
    visitor = Hands(new_page(), mode)
    seen = visitor.page
    seen.goto(f"{base}/")
    hit = seen.locator("ol.results").get_by_role("link", name=title)
    deadline = time.monotonic() + SEARCH_WAIT_S
    while True:
        visitor.type_into(seen.get_by_role("searchbox", name="Search the Hub").first, word)
        visitor.follow(seen.locator("header").get_by_role("button", name="Search"))
        if hit.count() or time.monotonic() > deadline:
            break
        seen.wait_for_timeout(200)
    assert hit.count() == 1, f"searching for {word!r} does not find the brief"
    visitor.follow(hit)
    assert urlsplit(seen.url).path == public_path
    assert old_sentence in seen.locator("main").inner_text()

    # The focal point corrects a sentence; the published page keeps the old one meanwhile.
    page.goto(f"{base}/workspace/")
    fp.follow(_document_link(page, title))
    fp.follow(_button(page, "Start a correction"))
    assert "Correction started." in _flash(page)
    field = page.get_by_label("Text (Markdown)")
    fp.type_into(field, field.input_value().replace(old_sentence, new_sentence))
    fp.follow(_button(page, "Save"))
    fp.follow(_button(page, "Submit for review"))
    seen.reload()
    assert old_sentence in seen.locator("main").inner_text()
    assert new_sentence not in seen.locator("main").inner_text()

    ed.goto(f"{base}/workspace/")
    editor.follow(_queue_link(ed, title))
    assert ed.locator("main").get_by_text("This is a correction of the published").count()
    editor.tick(ed.get_by_label(re.compile("^I have checked the text")))
    editor.follow(_button(ed, "Publish"))
    assert "the correction is published" in _flash(ed)

    seen.goto(base + public_path)
    text = seen.locator("main").inner_text()
    assert new_sentence in text and old_sentence not in text
    _report("brief", fp, editor, visitor)
    assert not problems.any(), problems.report()


# --- 2. arranging the guidebook, and its history on a phone -------------------------------


def _toc_titles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("nav.toc li").all_inner_texts()]


@pytest.mark.parametrize("mode", MODES)
def test_editor_edits_and_rearranges_the_guidebook_and_a_reader_compares_revisions(
    journey_hub, new_page, problems, mode
):
    base = journey_hub["url"]
    s = journey_hub["sections"][mode]
    added = f"Then agree who reports on progress ({mode} run)."

    editor = Hands(new_page(), mode)
    editor.log_in(base, EDITOR, PASSWORD)
    page = editor.page
    page.goto(f"{base}/guidebook/")
    editor.follow(page.locator("nav.toc").get_by_role("link", name=s["first"]["title"]))
    editor.follow(page.get_by_role("link", name="Edit this section"))
    editor.type_into(page.get_by_label("Text (Markdown)"), f"{SECTION_BODY}\n\n{added}")
    editor.type_into(page.get_by_label("Change note"), "Added the reporting step.")
    editor.follow(_button(page, "Save"))
    assert "Saved." in _flash(page)

    page.goto(f"{base}/workspace/")
    editor.follow(page.get_by_role("link", name="Arrange the guidebook"))
    loose, first = (page.locator(f"#section-{s[k]['id']}") for k in ("loose", "first"))
    editor.choose(loose.get_by_label("Put under"), s["part"]["slug"])
    editor.follow(loose.get_by_role("button", name=f"Move {s['loose']['title']}", exact=True))
    assert "Moved" in _flash(page)
    editor.follow(loose.get_by_role("button", name=f"Move up {s['loose']['title']}"))
    if editor.keyboard:  # a move must not send keyboard users back to the top of the page
        assert editor.last_tabs <= 8, f"{editor.last_tabs} tabs from the moved row to its buttons"
    # The page comes back at the moved row; the row above it is a few Shift+Tabs away.
    editor.follow(
        first.get_by_role("button", name=f"Move down {s['first']['title']}"), backwards=True
    )

    reader_contents = new_page()
    reader_contents.goto(f"{base}/guidebook/")
    titles = _toc_titles(reader_contents)
    order = [s[k]["title"] for k in ("part", "loose", "first", "second")]
    start = titles.index(order[0])
    assert titles[start : start + 4] == order, titles
    assert reader_contents.locator("nav.toc li.depth-1", has_text=order[1]).count() == 1

    reader = Hands(new_page(PHONE), mode)
    phone = reader.page
    phone.goto(f"{base}/guidebook/{s['first']['slug']}")
    reader.follow(phone.get_by_role("link", name="History of this section"))
    oldest = phone.locator("#compare-from option").last.get_attribute("value")
    reader.choose(phone.get_by_label("Compare revision"), oldest)
    reader.follow(_button(phone, "Show differences"))
    diff = phone.locator(".diff-unified")
    assert added in diff.inner_text() and diff.locator("ins").count(), diff.inner_text()
    overflow = phone.evaluate(OVERFLOW_JS)
    assert overflow <= 0, f"the diff is {overflow} px wider than the phone's screen"
    _report("guidebook", editor, reader)
    assert not problems.any(), problems.report()


# --- 3. an invitation by e-mail, the first login, and logging out -------------------------


def _open_account_menu(hands: Hands):
    menu = hands.page.locator("header details.user-menu")
    hands.press(menu.locator("summary"))
    assert menu.get_attribute("open") is not None, "the account menu did not open"
    return menu


@pytest.mark.parametrize("mode", MODES)
def test_admin_invites_a_member_who_sets_a_password_and_logs_out(
    journey_hub, new_page, problems, mode
):
    base, mail = journey_hub["url"], journey_hub["mail"]
    email = f"member-{mode}-{secrets.token_hex(3)}@example.org"
    name = f"Abena Member {mode.title()}"
    password = "cassava fields at dawn in Kumasi 58"

    admin = Hands(new_page(), mode)
    admin.log_in(base, ADMIN, PASSWORD)
    page = admin.page
    menu = _open_account_menu(admin)
    admin.follow(menu.get_by_role("link", name="Accounts"))
    admin.type_into(page.get_by_label("E-mail address"), email)
    admin.type_into(page.get_by_label("Name", exact=True), name)
    admin.choose(page.get_by_label("Role"), "focal_point")
    admin.choose(page.get_by_label("Country", exact=True), "GHA")
    admin.follow(_button(page, "Create account and send invitation"))
    assert f"Invitation sent to {email}." in _flash(page)

    deadline = time.monotonic() + 5
    letters: list = []
    while not letters and time.monotonic() < deadline:
        letters = [m for m in mail.messages if email in m["To"]]
        time.sleep(0.05)
    assert letters, f"no invitation reached {email}"
    found = re.search(r"https?://\S+/invitation/\S+", letters[0].get_content())
    assert found, letters[0].get_content()

    member = Hands(new_page(), mode)
    own = member.page
    own.goto(base + urlsplit(found.group(0)).path)
    member.type_into(own.get_by_label("New password (at least 12 characters)"), password)
    member.type_into(own.get_by_label("Repeat the new password"), password)
    member.follow(_button(own, "Set password"))
    assert urlsplit(own.url).path == "/workspace/"
    assert f"Logged in as {name}." in own.locator("main").inner_text()

    menu = _open_account_menu(member)
    member.follow(menu.get_by_role("button", name="Log out"))
    assert "You are logged out." in _flash(own)
    own.goto(f"{base}/workspace/")
    assert urlsplit(own.url).path == "/login", own.url
    assert own.get_by_role("heading", name="Log in").is_visible()
    _report("invitation", admin, member)
    assert not problems.any(), problems.report()


def test_the_keyboard_hands_refuse_a_focus_drawn_without_an_indicator(journey_hub, new_page):
    """The guard behind the keyboard runs: a field that hides its focus fails the journey."""
    page = new_page()
    page.goto(f"{journey_hub['url']}/login")
    page.evaluate(
        """() => document.querySelectorAll('input').forEach(el => {
             el.style.setProperty('outline', 'none', 'important');
             el.style.setProperty('box-shadow', 'none', 'important'); })"""
    )
    with pytest.raises(AssertionError, match="shows no focus indicator"):
        tab_to(page, page.get_by_label("E-mail address"))
