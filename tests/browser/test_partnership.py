"""The Partnership's pages in Chromium: the expression-of-interest form and every new page.

A Hub of its own (``isolated_hub``) gets ``content/`` and, through the app's own services, an
administrator, an editor, focal points of Ghana and Serbia, an application, a discussion with a
reply (which notifies Ghana's focal point), an offer, a need and a brokered match. The shared
Hub of the other browser tests is left as it was.

Run this module as ``python -m tests.browser.test_partnership seed OUT.json`` (with the Hub's
environment) to do that seeding; the fixture below does so before gunicorn starts.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.setup_commands import run_setup
from tests.browser.test_layout import overflow

pytestmark = pytest.mark.browser

SEED_TIMEOUT_S = 300.0
PASSWORD = "partnership-browser-pw-1"
ADMIN = "admin@partnership.test"
EDITOR = "editor@partnership.test"
GHANA_FP = "fp.gha@partnership.test"
SERBIA_FP = "fp.srb@partnership.test"
BRIEF_SLUG = "gha-roadmap-progress-2025"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
MIN_FILL_SECONDS = 5  # hub.applications.antispam.MIN_FILL_SECONDS: waited out, never bypassed
DESCRIPTION_MAX = 12_000  # hub.applications.submission.DESCRIPTION_MAX
# Real content has long unbroken strings (links to plans, ministries' e-mail addresses): the seed
# puts them where people will, so the layout checks see them on a 390 px phone.
LONG_URL = (
    "https://example.org/national-sti-for-sdgs-roadmap/2024/implementation-plan/"
    "annex-3-monitoring-framework-and-indicators-final-version.pdf"
)
LONG_EMAIL = "national.sti.roadmap.focal.point.secretariat@ministry-of-science.example.org"


# --- seeding (runs in a subprocess against the instance's database) ---------------------------


def seed(out: str) -> None:
    from datetime import date

    from sqlalchemy import select

    from hub import create_app
    from hub.accounts import service as accounts
    from hub.accounts.models import Role
    from hub.applications import submission
    from hub.applications.models import Commitment
    from hub.countries.models import Country
    from hub.documents.models import Document
    from hub.extensions import db
    from hub.forum import service as forum
    from hub.peers import brokering, editing
    from hub.peers.models import ItemKind

    app = create_app()
    with app.app_context():
        people = {}
        for email, name, role, iso3 in (
            (ADMIN, "Hub Administrator", Role.ADMIN, None),
            (EDITOR, "Secretariat Editor", Role.EDITOR, None),
            (GHANA_FP, "Ama Mensah", Role.FOCAL_POINT, "GHA"),
            (SERBIA_FP, "Milica Petrović", Role.FOCAL_POINT, "SRB"),
        ):
            person = accounts.create_user(
                email=email, name=name, role=role, country_iso3=iso3, by=None
            )
            accounts.set_password(person, PASSWORD, reason="browser-test seed")
            people[email] = person

        received = submission.submit(
            submission.ApplicationInput(
                country_iso3="CHL",
                official_name="Example Official",
                official_title="Deputy Minister of Science",
                official_institution="Example Ministry of Science, Technology and Innovation",
                focal_points=[
                    submission.FocalPointInput(
                        name="Example Focal Point",
                        title="Adviser",
                        institution="Example Ministry",
                        email=LONG_EMAIL,
                    )
                ],
                description="Example: a national STI policy (2024) and an SDG task force.\n\n"
                "- Priority one: clean energy\n- Priority two: digital agriculture\n\n"
                f"The plan: {LONG_URL}",
                initiatives="Example national STI policy\nExample SDG task force",
                commitment=Commitment.MINISTER,
                engagement_levels=["align", "capacity_building"],
                consent_official=True,
                consent_focal_points=True,
                consent_description=True,
            ),
            ip="192.0.2.10",
        )

        brief = db.session.scalar(select(Document).where(Document.slug == BRIEF_SLUG))
        thread = forum.start_thread(
            brief,
            "Example: how did you fund the roadmap's second phase?",
            f"We would like to compare notes on **funding**. Our plan: {LONG_URL}",
            by=people[GHANA_FP],
        )
        forum.reply(thread, "Example reply: through a mix of budget lines.", by=people[SERBIA_FP])

        ghana = db.session.scalar(select(Country).where(Country.iso3 == "GHA"))
        serbia = db.session.scalar(select(Country).where(Country.iso3 == "SRB"))
        offer = editing.create(
            ItemKind.OFFER,
            ghana,
            editing.ItemInput(
                title="Example offer: running a national roadmap consultation",
                description="Example: we ran regional consultations and can share the method. "
                f"Method note: {LONG_URL}",
                goals=[9, 17],
            ),
            by=people[GHANA_FP],
        )
        need = editing.create(
            ItemKind.NEED,
            serbia,
            editing.ItemInput(
                title="Example need: methods for a national roadmap consultation",
                description="Example: we are planning consultations and seek experience.",
                goals=[9],
            ),
            by=people[SERBIA_FP],
        )
        match = brokering.record(need, offer, matched_on=date.today(), by=people[EDITOR])
        seeded = {
            "application_id": received.application.id,
            "thread_id": thread.id,
            "offer_id": offer.id,
            "match_id": match.id,
        }
        Path(out).write_text(json.dumps(seeded), encoding="utf-8")


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hub(isolated_hub) -> dict:
    """URL of a Hub with content/ and the seed above, plus the seeded ids."""
    seeded: dict = {}

    def prepare(instance) -> None:
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        run_setup([*flask, "hub", "load-content", "content/"], instance.env, timeout=SEED_TIMEOUT_S)
        out = instance.folder / "seed.json"
        run_setup([sys.executable, "-m", "tests.browser.test_partnership", "seed", str(out)],
                  instance.env, timeout=SEED_TIMEOUT_S)  # fmt: skip
        seeded.update(json.loads(out.read_text(encoding="utf-8")))

    instance = isolated_hub("partnership", {}, prepare)
    return {"url": instance.url, **seeded}


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/workspace/$"))


def _count_text(page) -> str:
    return page.locator("#description-count").inner_text()


def _wait_count(page, used: int) -> str:
    """The live region once it says ``used`` characters (it updates after a 400 ms pause)."""
    pattern = re.compile(rf"^{used} of {DESCRIPTION_MAX} characters used")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        text = _count_text(page)
        if pattern.search(text):
            return text
        page.wait_for_timeout(100)
    pytest.fail(f"the character count never said {used} used; it says {_count_text(page)!r}")


def _fill_application(page, *, country: str, focal_points: list[dict], description: str) -> None:
    page.select_option("#country", country)
    page.fill("#official_name", "Example Senior Official")
    page.fill("#official_title", "Permanent Secretary")
    page.fill("#official_institution", "Example Ministry of Science")
    for index, person in enumerate(focal_points):
        for key, value in person.items():
            page.fill(f"#focal_points-{index}-{key}", value)
    page.fill("#description", description)
    page.check("input[name=commitment][value=minister]")
    page.check("input[name=engagement_levels][value=align]")
    page.check("#consent_official")
    page.check("#consent_description")


def _wait_out_fill_time(loaded_at: float) -> None:
    """The Hub refuses a form sent back sooner than a person could fill it in: wait, honestly."""
    remaining = MIN_FILL_SECONDS + 0.5 - (time.monotonic() - loaded_at)
    if remaining > 0:
        time.sleep(remaining)


def _send(page):
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Send the expression of interest").click()
    return nav.value


# --- (1) the live character count -------------------------------------------------------------


def test_character_count_is_live_announced_and_agrees_with_the_server(hub, page, problems):
    base = hub["url"]
    response = page.goto(f"{base}/applications/apply")
    loaded_at = time.monotonic()
    assert response is not None and response.status == 200
    count = page.locator("#description-count")
    assert count.is_visible(), "the character count stays hidden with JavaScript on"
    assert count.get_attribute("aria-live") == "polite", "the count is not an aria-live region"
    assert _wait_count(page, 0).endswith(f"{DESCRIPTION_MAX} left.")

    area = page.locator("#description")
    area.click()
    page.keyboard.type("Roadmap")
    _wait_count(page, 7)
    page.keyboard.press("Enter")
    page.keyboard.type("SDG 9")
    text = _wait_count(page, 13)  # 7 + one line break + 5
    assert text.endswith(f"{DESCRIPTION_MAX - 13} left."), text

    # At the limit, with line breaks and a character outside the Basic Multilingual Plane
    # (Python counts it once, as the server does): the page and the server must agree.
    line = "Example priority area: clean energy and digital agriculture (SDG 7) 🌍"
    body = ""
    while len(body) + len(line) + 1 <= DESCRIPTION_MAX:
        body += line + "\n"
    body += "x" * (DESCRIPTION_MAX - len(body))
    assert len(body) == DESCRIPTION_MAX and body.count("\n") > 100
    _fill_application(
        page,
        country="ARG",
        focal_points=[{"name": "Example Person", "email": "one.arg@example.org"}],
        description=body + "y",
    )
    held = page.locator("#description").input_value()
    assert held == body + "y", (
        f"the browser cut the text to {len(held)} characters (maxlength counts UTF-16 units)"
    )
    over = _wait_count(page, DESCRIPTION_MAX + 1)
    print(f"\n[count] one over: {over!r}")
    assert "1 over the limit" in over, over
    assert "over-limit" in (count.get_attribute("class") or "")
    _wait_out_fill_time(loaded_at)
    refused = _send(page)
    assert refused.status == 400, f"one character over the limit was accepted ({refused.status})"
    # Chromium logs the (intended) 400 answer as a console error; only that one may be there.
    expected = [e for e in problems.console_errors if "status of 400" in e]
    assert expected and len(expected) == len(problems.console_errors), problems.report()
    assert not problems.page_errors and not problems.csp_violations, problems.report()
    problems.clear()
    error = page.locator("#description").locator("xpath=..").locator(".field-error")
    assert error.count() == 1 and str(DESCRIPTION_MAX) in error.inner_text(), (
        f"no length error beside the description: {error.all_inner_texts()}"
    )
    kept = page.locator("#description").input_value()
    assert kept == body + "y", "the description was not kept after the refusal"

    page.locator("#description").press("End")  # the caret after the last "y"
    page.locator("#description").press("Backspace")
    at_limit = _wait_count(page, DESCRIPTION_MAX)
    assert at_limit.endswith("0 left."), at_limit
    accepted = _send(page)
    print(f"[count] at the limit: {at_limit!r}; server answered {accepted.status} {accepted.url}")
    assert accepted.status == 200 and accepted.url.endswith("/applications/submitted"), (
        f"a description of exactly {DESCRIPTION_MAX} characters was refused: "
        f"{page.locator('.error-message, .field-error').all_inner_texts()}"
    )
    assert not problems.any(), problems.report()


# --- (2) focal-point rows -------------------------------------------------------------------


ROW_FIELDS = ("name", "title", "institution", "email", "phone")


def _row_report(page) -> dict:
    return page.evaluate(
        """() => {
          const ids = Array.from(document.querySelectorAll('[id]'), e => e.id);
          const rows = Array.from(document.querySelectorAll('#focal-points fieldset.focal-point'));
          return {
            duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
            rows: rows.map(row => ({
              legend: row.querySelector('legend').textContent.trim(),
              inputs: Array.from(row.querySelectorAll('input'), input => ({
                id: input.id, name: input.name, value: input.value,
                labels: Array.from(input.labels || [], l => l.textContent.trim()),
                describedByMissing: (input.getAttribute('aria-describedby') || '')
                  .split(/\\s+/).filter(Boolean).filter(id => !document.getElementById(id)),
              })),
            })),
          };
        }"""
    )


def test_add_focal_point_adds_a_labelled_row_and_two_focal_points_are_accepted(
    hub, new_page, problems
):
    base = hub["url"]
    page = new_page(VIEWPORTS["phone"])
    requests: list[str] = []
    page.goto(f"{base}/applications/apply")
    loaded_at = time.monotonic()
    page.on("request", lambda r: requests.append(r.url))
    page.get_by_role("button", name="Add another focal point").click()
    page.wait_for_timeout(300)
    assert not [u for u in requests if "/applications/apply" in u], (
        f"adding a row went to the server although JavaScript is on: {requests}"
    )
    report = _row_report(page)
    assert not report["duplicateIds"], f"duplicate ids after adding a row: {report['duplicateIds']}"
    assert [r["legend"] for r in report["rows"]] == ["Focal point 1", "Focal point 2"], report
    first, second = report["rows"]
    for index, row in enumerate((first, second)):
        assert [i["name"] for i in row["inputs"]] == [
            f"focal_points-{index}-{f}" for f in ROW_FIELDS
        ], row
        for entry in row["inputs"]:
            assert entry["id"] == entry["name"], entry
            assert len(entry["labels"]) == 1 and entry["labels"][0], f"unlabelled input: {entry}"
            assert not entry["describedByMissing"], entry
    assert [i["labels"] for i in first["inputs"]] == [i["labels"] for i in second["inputs"]]
    focused = page.evaluate("() => document.activeElement.id")
    assert focused == "focal_points-1-name", f"focus went to {focused!r}, not the new row"

    people = [
        {"name": "Example First", "title": "Adviser", "email": "first.col@example.org"},
        {"name": "Example Second", "phone": "+57 1 555 0100", "email": "second.col@example.org"},
    ]
    _fill_application(page, country="COL", focal_points=people, description="Example.\nTwo lines.")
    _wait_out_fill_time(loaded_at)
    sent = _send(page)
    shown_errors = page.locator(".error-message, .field-error").all_inner_texts()
    assert sent.status == 200 and sent.url.endswith("/applications/submitted"), (
        f"{sent.status} {sent.url}: {shown_errors}"
    )
    receipt = page.locator("main").inner_text()
    for person in people:
        assert person["email"] in receipt, f"{person['email']} missing from the confirmation"
    assert not problems.any(), problems.report()

    # The Secretariat sees both focal points on the application the server stored.
    staff = new_page(VIEWPORTS["desktop"])
    _login(staff, base, EDITOR)
    staff.goto(f"{base}/applications/review")
    row = staff.locator("main tr", has_text="Colombia")
    assert row.count() == 1, f"{row.count()} rows for Colombia in the review queue"
    row.get_by_role("link").first.click()
    shown = staff.locator("main").inner_text()
    for person in people:
        assert person["name"] in shown and person["email"] in shown, (
            f"{person} missing from the review page {staff.url}"
        )
    assert not problems.any(), problems.report()


def test_add_focal_point_stops_at_the_server_limit_of_five_rows(hub, page, problems):
    page.goto(f"{hub['url']}/applications/apply")
    button = page.get_by_role("button", name="Add another focal point")
    for _ in range(4):
        button.click()
    report = _row_report(page)
    assert len(report["rows"]) == 5 and not report["duplicateIds"], report
    assert [r["legend"] for r in report["rows"]][-1] == "Focal point 5"
    assert [i["name"] for i in report["rows"][-1]["inputs"]][0] == "focal_points-4-name"
    assert button.is_hidden(), "the button still offers a sixth row; the server allows five"
    assert not problems.any(), problems.report()


def test_add_focal_point_without_javascript_asks_the_server_for_a_row(hub, new_page, problems):
    page = new_page(VIEWPORTS["desktop"], java_script_enabled=False)
    page.goto(f"{hub['url']}/applications/apply")
    assert page.locator("#description-count").is_hidden()
    page.fill("#official_name", "Kept Official")
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Add another focal point").click()
    assert nav.value.status == 200
    report = _row_report(page)
    assert len(report["rows"]) == 2 and not report["duplicateIds"], report
    assert page.locator("#official_name").input_value() == "Kept Official"
    assert not problems.any(), problems.report()


# --- (3) every new page, for the right actor, on phone and desktop ----------------------------


def _pages(hub: dict) -> dict[str, tuple[str | None, list[str]]]:
    return {
        "public": (None, [
            "/applications/apply", "/reporting/", "/peer-learning/", "/countries/",
            "/countries/gha",
        ]),
        "member": (GHANA_FP, [
            "/discussions/", f"/discussions/{hub['thread_id']}", "/notifications/",
            "/peer-learning/suggestions", "/peer-learning/matches",
            f"/peer-learning/matches/{hub['match_id']}", f"/peer-learning/items/{hub['offer_id']}",
            f"/briefs/{BRIEF_SLUG}",
        ]),
        "staff": (EDITOR, [
            "/applications/review", "/applications/review/priority",
            f"/applications/review/{hub['application_id']}", "/reporting/settings",
            "/countries/gha/profile",
        ]),
    }  # fmt: skip


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
@pytest.mark.parametrize("actor", ["public", "member", "staff"])
def test_partnership_pages_load_cleanly_and_fit(hub, new_page, problems, actor, viewport_name):
    email, paths = _pages(hub)[actor]
    page = new_page(VIEWPORTS[viewport_name])
    if email:
        _login(page, hub["url"], email)
    problems.clear()
    failures = []
    for path in paths:
        before = len(problems.report())
        response = page.goto(hub["url"] + path, wait_until="load")
        status = response.status if response else None
        if status != 200 or urlsplit(page.url).path != path:
            failures.append(f"{path}: status {status}, ended on {page.url}")
            continue
        if wide := overflow(page):
            failures.append(f"{path}: {wide}")
        heading = page.locator("main h1")
        if heading.count() != 1 or not heading.first.is_visible():
            failures.append(f"{path}: {heading.count()} main h1, visible: "
                            f"{heading.count() and heading.first.is_visible()}")  # fmt: skip
        page.wait_for_timeout(100)  # let late console messages arrive before the next page
        if len(problems.report()) != before:
            failures.append(f"{path}: browser problems (below)")
    print(f"\n[partnership] {actor} {viewport_name}: {len(paths)} pages checked")
    assert not failures and not problems.any(), "\n".join(failures) + "\n" + problems.report()


# --- a discussion started from the brief page's own form ---------------------------------------


def test_member_starts_a_discussion_from_the_brief_page(hub, new_page, problems):
    page = new_page(VIEWPORTS["phone"])
    _login(page, hub["url"], SERBIA_FP)
    page.goto(f"{hub['url']}/briefs/{BRIEF_SLUG}")
    title = f"Example question from the browser {int(time.time())}"
    page.get_by_text("Start a discussion", exact=True).click()  # the form folds in <details>
    page.fill("#discussion-title", title)
    page.fill("#discussion-body", "Example: which **indicators** did you report on?")
    with page.expect_navigation() as nav:
        page.locator("#discussion-body").locator("xpath=ancestor::form").locator(
            "button[type=submit], input[type=submit]"
        ).first.click()
    assert nav.value.status == 200, nav.value.status
    assert re.search(r"/discussions/\d+$", page.url), page.url
    assert page.locator("main h1").inner_text().strip() == title
    assert page.locator("main strong", has_text="indicators").count() == 1, (
        "the Markdown of the first post was not rendered"
    )
    assert not problems.any(), problems.report()


if __name__ == "__main__":  # python -m tests.browser.test_partnership seed OUT.json
    if len(sys.argv) != 3 or sys.argv[1] != "seed":
        sys.exit("usage: python -m tests.browser.test_partnership seed OUT.json")
    seed(sys.argv[2])
