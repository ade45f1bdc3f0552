"""The writing form: choices by name, topics in guidebook order, and a preview that keeps input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.documents.models import Document, Kind
from hub.extensions import db
from tests import factories
from tests.web import login, post


@pytest.fixture
def focal(app):
    return factories.user(role=Role.FOCAL_POINT, country_code="GHA")


@pytest.fixture
def guidebook(app):
    """Two parts, written in reverse alphabetical order of their titles, with children."""

    def section(title: str, position: int, parent: Document | None = None) -> Document:
        return factories.document(kind=Kind.GUIDEBOOK_SECTION, title=title, position=position,
                                  parent=parent)  # fmt: skip

    first = section("Understanding the system", 0)
    section("Zoning the actors", 0, first)
    section("Assessing capabilities", 1, first)
    second = section("Building the roadmap", 1)
    section("Costing the actions", 0, second)
    return first, second


def _legends(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r"<legend>(.*?)</legend>", html)]


def test_form_names_goals_and_areas_instead_of_codes(client, focal):
    login(client, focal)
    html = client.get("/workspace/new/briefs").data.decode()

    assert "SDG 9 · Industry, innovation and infrastructure" in html
    assert ">International knowledge and technology flows</label>" in html
    assert ">knowledge_flows</label>" not in html
    assert not re.search(r">\s*9\s*</label>", html)


def test_each_group_of_choices_is_a_fieldset_named_by_its_legend(client, focal, guidebook):
    login(client, focal)
    html = client.get("/workspace/new/briefs").data.decode()

    legends = _legends(html)
    for name in (
        "Sustainable Development Goals",
        "Areas of work",
        "Guidebook sections this illustrates",
        "Who may read it once published",
    ):
        assert name in legends  # fmt: skip
    # Each radio button sits before its own label, inside the list of choices.
    assert re.search(
        r'<li><input[^>]* id="visibility-0" name="visibility" type="radio" value="public"> '
        r'<label for="visibility-0">Everyone \(the public\)</label></li>',
        html,
    )


def test_topics_are_grouped_by_part_in_guidebook_order(client, focal, guidebook):
    login(client, focal)
    html = client.get("/workspace/new/briefs").data.decode()

    topics = html[html.index("Guidebook sections this illustrates") :]
    order = [m for m in re.findall(r'<label for="topics-\d+">([^<]+)</label>', topics)]
    assert order == [
        "Understanding the system", "Zoning the actors", "Assessing capabilities",
        "Building the roadmap", "Costing the actions",
    ]  # fmt: skip
    legends = _legends(topics)
    assert legends.index("Understanding the system") < legends.index("Building the roadmap")


def test_preview_is_shown_above_the_form_and_keeps_every_entry(client, focal, guidebook):
    login(client, focal)
    slug = db.session.scalar(select(Document.slug).where(Document.title == "Costing the actions"))
    response = post(client, "/workspace/new/briefs", {
        "title": "Solar dryers", "summary": "Dryers for cassava.", "body": "**Drying** works.",
        "language": "fr", "goals": ["7", "9"], "targets": "9.5", "areas": ["collaboration"],
        "tags": "energy, agro", "topics": [slug], "visibility": "members", "preview": "1",
    })  # fmt: skip
    html = response.data.decode()

    assert response.status_code == 200
    assert html.index('id="preview"') < html.index('id="edit-form"')
    assert "<strong>Drying</strong> works." in html
    assert 'value="Solar dryers"' in html
    assert re.search(r">\s*Dryers for cassava.</textarea>", html)
    assert '<option selected value="fr">' in html
    for value in ("7", "9"):
        assert re.search(rf'checked id="goals-\d+" name="goals" type="checkbox" value="{value}"',
                         html)  # fmt: skip
    assert re.search(r'checked id="areas-\d+" name="areas" type="checkbox" value="collaboration"',
                     html)  # fmt: skip
    assert re.search(rf'checked id="topics-\d+" name="topics" type="checkbox" value="{slug}"', html)
    assert 'checked id="visibility-1" name="visibility" type="radio" value="members"' in html
    assert 'value="9.5"' in html and 'value="energy, agro"' in html
    assert db.session.scalar(select(Document).where(Document.title == "Solar dryers")) is None


def test_preview_button_leads_to_the_preview(client, focal):
    login(client, focal)
    html = client.get("/workspace/new/briefs").data.decode()

    assert 'formaction="/workspace/new/briefs#preview"' in html


def test_preview_is_shown_even_while_a_field_needs_fixing(client, focal):
    login(client, focal)
    response = post(client, "/workspace/new/briefs", {
        "title": "", "body": "Text *so far*.", "language": "en", "visibility": "public",
        "preview": "1"})  # fmt: skip
    html = response.data.decode()

    assert "<em>so far</em>" in html
    assert "This field is required." in html
