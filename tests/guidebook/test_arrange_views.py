"""The curator's guidebook page in the workspace and the way into editing from a section."""

from __future__ import annotations

import re

import pytest

from hub.accounts.models import Role
from hub.documents.models import Document, Kind, Status
from hub.extensions import db
from tests import factories
from tests.web import login, post

TREE = "/workspace/guidebook"


def _section(title: str, position: int, **kw) -> Document:
    return factories.document(kind=Kind.GUIDEBOOK_SECTION, title=title, position=position, **kw)


@pytest.fixture
def editor_client(app, client):
    login(client, factories.user(role=Role.EDITOR, country_code=None))
    return client


def _tree_version(client) -> str:
    return re.search(r'name="tree_version" value="([0-9a-f]+)"', client.get(TREE).data.decode())[1]


def test_tree_shows_every_section_with_its_status_name(editor_client):
    _section("Published one", 1)
    _section("Draft two", 2, status=Status.DRAFT)
    _section("Archived three", 3, status=Status.ARCHIVED)
    html = editor_client.get(TREE).get_data(as_text=True)
    assert html.index("Published one") < html.index("Draft two") < html.index("Archived three")
    assert ">Draft<" in html and ">Archived<" in html and ">Published<" in html
    assert "status-changes_requested" not in html and "Move up" in html and "Put under" in html


def test_focal_points_may_not_open_the_tree(app, client):
    login(client, factories.user(role=Role.FOCAL_POINT, country_code="GHA"))
    assert client.get(TREE).status_code == 403


def test_move_up_redirects_back_with_a_message(editor_client):
    _section("First", 1)
    second = _section("Second", 2)
    response = post(editor_client, f"{TREE}/{second.id}/up",
                    {"tree_version": _tree_version(editor_client)}, form_url=TREE)  # fmt: skip
    assert response.status_code == 303 and response.location.startswith(TREE)
    html = editor_client.get(TREE).get_data(as_text=True)
    assert "Moved “Second”." in html and html.index(">Second<") < html.index(">First<")


def test_a_stale_tree_version_is_refused_with_a_clear_message(editor_client):
    _section("First", 1)
    second = _section("Second", 2)
    stale = _tree_version(editor_client)
    _section("Added meanwhile", 3)
    post(editor_client, f"{TREE}/{second.id}/up", {"tree_version": stale}, form_url=TREE)
    html = editor_client.get(TREE).get_data(as_text=True)
    assert "rearranged the guidebook" in html
    db.session.expire_all()
    assert db.session.get(Document, second.id).position == 2


def test_moving_under_a_descendant_is_refused_with_a_clear_message(editor_client):
    top = _section("Top", 1)
    child = _section("Child", 1, parent=top)
    post(editor_client, f"{TREE}/{top.id}/move",
         {"tree_version": _tree_version(editor_client), "parent": child.slug},
         form_url=TREE)  # fmt: skip
    html = editor_client.get(TREE).get_data(as_text=True)
    assert "cannot go under “Child”" in html
    db.session.expire_all()
    assert db.session.get(Document, top.id).parent_id is None


def test_a_move_without_the_csrf_token_is_refused(editor_client):
    doc = _section("Only", 1)
    response = editor_client.post(f"{TREE}/{doc.id}/down", data={"tree_version": "x"})
    assert response.status_code == 400


def test_editors_find_edit_and_workspace_links_on_a_section_page(editor_client):
    doc = _section("Readable", 1)
    html = editor_client.get(f"/guidebook/{doc.slug}").get_data(as_text=True)
    assert f'href="/workspace/documents/{doc.id}/edit"' in html
    assert f'href="/workspace/documents/{doc.id}"' in html


def test_readers_and_focal_points_see_no_edit_link(app, client):
    doc = _section("Readable", 1)
    assert "/edit" not in client.get(f"/guidebook/{doc.slug}").get_data(as_text=True)
    login(client, factories.user(role=Role.FOCAL_POINT, country_code="GHA"))
    html = client.get(f"/guidebook/{doc.slug}").get_data(as_text=True)
    assert "/edit" not in html and "/workspace/documents/" not in html


def test_the_dashboard_links_to_the_tree_for_curators_only(app, editor_client):
    assert f'href="{TREE}"' in editor_client.get("/workspace/").get_data(as_text=True)
    focal = app.test_client()
    login(focal, factories.user(role=Role.FOCAL_POINT, country_code="GHA"))
    assert f'href="{TREE}"' not in focal.get("/workspace/").get_data(as_text=True)


def test_add_a_section_under_another_opens_the_editor_with_that_parent_chosen(editor_client):
    parent = _section("Part one", 1)
    tree = editor_client.get(TREE).get_data(as_text=True)
    link = f"/workspace/new/guidebook?parent={parent.slug}"
    assert link in tree
    html = editor_client.get(link).get_data(as_text=True)
    assert re.search(
        rf'<option selected value="{parent.slug}">|<option value="{parent.slug}" selected', html
    )


def test_an_unknown_parent_in_the_address_leaves_the_choice_empty(editor_client):
    _section("Part one", 1)
    html = editor_client.get("/workspace/new/guidebook?parent=no-such-section").get_data(
        as_text=True
    )
    select = re.search(r'<select[^>]*id="parent".*?</select>', html, re.S)[0]
    assert '<option selected value="">' in select and select.count("selected") == 1
