"""The header: public links for everyone, and for people logged in an account menu that says who
they are and leads to their own pages, with logging out, on every page and without script."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from hub.accounts.models import Role, User
from hub.extensions import db
from hub.notifications.models import Category
from hub.notifications.service import notify
from tests import factories
from tests.web import login, post


class _Menu(HTMLParser):
    """The account menu's parts: the summary's text, the links and the forms inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside <details class="user-menu"> when > 0
        self.in_summary = False
        self.summary = ""
        self.text = ""
        self.hrefs: list[str] = []
        self.forms: list[tuple[str, str]] = []  # (method, action)
        self.hidden: dict[str, str] = {}
        self.buttons: list[str] = []
        self._button = False
        self.found = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details" and "user-menu" in (attrs.get("class") or ""):
            self.depth, self.found = 1, self.found + 1
            return
        if not self.depth:
            return
        if tag == "details":
            self.depth += 1
        elif tag == "summary":
            self.in_summary = True
        elif tag == "a":
            self.hrefs.append(attrs["href"])
        elif tag == "form":
            self.forms.append((attrs.get("method", "get"), attrs.get("action", "")))
        elif tag == "input" and attrs.get("type") == "hidden":
            self.hidden[attrs["name"]] = attrs.get("value", "")
        elif tag == "button":
            self._button = True
            self.buttons.append("")

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "details":
            self.depth -= 1
        elif tag == "summary":
            self.in_summary = False
        elif tag == "button":
            self._button = False

    def handle_data(self, data):
        if not self.depth:
            return
        if self.in_summary:
            self.summary += data
        if self._button:
            self.buttons[-1] += data
        self.text += data


def menu_of(html: str) -> _Menu:
    parser = _Menu()
    parser.feed(html)
    return parser


def _person(role: Role, country: str | None = None, name: str = "Ama Mensah") -> User:
    person = factories.user(role=role, country_code=country)
    person.name = name
    db.session.commit()
    return person


@pytest.fixture
def focal(app) -> User:
    return _person(Role.FOCAL_POINT, "GHA")


PAGES = ["/", "/briefs/", "/guidebook/", "/countries/gha", "/search?q=roadmap", "/workspace/",
         "/notifications/", "/about", "/privacy"]  # fmt: skip


def test_the_public_gets_log_in_and_no_account_menu(client):
    html = client.get("/").get_data(as_text=True)
    assert menu_of(html).found == 0
    assert 'href="/login"' in html


@pytest.mark.parametrize("url", PAGES)
def test_the_account_menu_with_log_out_is_on_every_page(client, focal, url):
    login(client, focal)
    menu = menu_of(client.get(url).get_data(as_text=True))
    assert menu.found == 1
    assert ("post", "/logout") in menu.forms
    assert "csrf_token" in menu.hidden and menu.hidden["csrf_token"]
    assert [b.strip() for b in menu.buttons] == ["Log out"]


@pytest.mark.parametrize(
    "role, country, description",
    [
        (Role.FOCAL_POINT, "GHA", "Focal point · Ghana"),
        (Role.EDITOR, None, "Secretariat editor"),
        (Role.ADMIN, None, "Administrator"),
    ],
)
def test_the_menu_names_the_person_their_role_and_country(client, role, country, description):
    login(client, _person(role, country))
    menu = menu_of(client.get("/").get_data(as_text=True))
    assert "Ama Mensah" in menu.summary
    assert description in menu.text


def test_the_menu_summary_has_an_accessible_name_that_says_it_is_the_account(client, focal):
    login(client, focal)
    menu = menu_of(client.get("/").get_data(as_text=True))
    assert " ".join(menu.summary.split()) == "Your account: Ama Mensah"


def test_a_focal_point_menu_links_to_their_own_pages(client, focal):
    login(client, focal)
    menu = menu_of(client.get("/").get_data(as_text=True))
    assert menu.hrefs == ["/workspace/", "/notifications/", "/account/password"]


def test_an_admin_menu_adds_accounts_search_analytics_and_background_jobs(client):
    login(client, _person(Role.ADMIN))
    menu = menu_of(client.get("/").get_data(as_text=True))
    assert menu.hrefs == [
        "/workspace/", "/notifications/", "/admin/users", "/admin/search-analytics",
        "/admin/jobs", "/account/password",
    ]  # fmt: skip


def test_an_editor_menu_has_search_analytics_but_not_accounts(client):
    login(client, _person(Role.EDITOR))
    hrefs = menu_of(client.get("/").get_data(as_text=True)).hrefs
    assert "/admin/search-analytics" in hrefs and "/admin/users" not in hrefs


def test_the_menu_shows_the_unread_count_on_its_summary(client, focal):
    for message in ("One.", "Two.", "Three."):
        notify(focal, Category.SUBMISSION, message, "/briefs/x")
    db.session.commit()
    login(client, focal)
    menu = menu_of(client.get("/").get_data(as_text=True))
    assert "(3 unread)" in menu.summary


def test_members_keep_discussions_in_the_main_navigation(client, focal):
    login(client, focal)
    html = client.get("/").get_data(as_text=True)
    main_nav = html[html.index('<nav aria-label="Main">') : html.index("</nav>")]
    assert 'href="/discussions/"' in main_nav
    assert 'href="/login"' not in main_nav and 'href="/workspace/"' not in main_nav


def test_log_out_from_the_menu_ends_the_session(client, focal):
    login(client, focal)
    response = post(client, "/logout", {}, form_url="/briefs/")
    assert response.status_code == 302
    assert client.get("/workspace/").status_code == 302  # to the login page
    assert menu_of(client.get("/").get_data(as_text=True)).found == 0


def test_the_workspace_has_no_second_log_out_button(client, focal):
    login(client, focal)
    html = client.get("/workspace/").get_data(as_text=True)
    assert html.count('action="/logout"') == 1
