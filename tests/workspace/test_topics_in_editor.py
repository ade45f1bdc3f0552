"""Focal points tag their briefs and experiences to the guidebook sections they illustrate from
the editor (content files could already): only sections they may read are offered, a tag they
could not see is kept when they save, a bad choice is refused with the text kept, and the tags
are part of each revision."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.documents import editing
from hub.documents.models import Document, Kind, Status
from hub.extensions import db
from tests import factories
from tests.web import login, post

BRIEF = {"body": "Clusters of cassava mills.", "language": "en", "visibility": "public",
         "save": "1"}  # fmt: skip


@pytest.fixture
def sections(app):
    def section(slug: str, title: str, status: Status = Status.PUBLISHED) -> Document:
        return factories.document(kind=Kind.GUIDEBOOK_SECTION, slug=slug, title=title,
                                  status=status)  # fmt: skip

    return {
        "mapping": section("mapping-the-system", "Mapping the innovation system"),
        "finance": section("financing-the-roadmap", "Financing the roadmap"),
        "draft": section("draft-on-foresight", "Foresight sketch (draft)", Status.DRAFT),
    }


@pytest.fixture
def focal(app):
    return factories.user(role=Role.FOCAL_POINT, country_code="GHA")


def _brief(title: str) -> Document:
    db.session.expire_all()
    return db.session.scalar(select(Document).where(Document.title == title))


def test_editor_offers_the_sections_the_focal_point_may_read_and_no_draft(client, focal, sections):
    login(client, focal)
    html = client.get("/workspace/new/briefs").data.decode()

    assert "Guidebook sections this illustrates" in html
    assert "Mapping the innovation system" in html and "Financing the roadmap" in html
    assert "Foresight sketch" not in html and "draft-on-foresight" not in html


def test_section_editor_offers_no_topics(client, sections):
    login(client, factories.user(role=Role.EDITOR, country_code=None))
    html = client.get("/workspace/new/guidebook").data.decode()

    assert "Guidebook sections this illustrates" not in html


def test_brief_saved_with_topics_is_listed_on_those_sections_once_published(
    client, focal, sections
):
    login(client, focal)
    response = post(client, "/workspace/new/briefs", {**BRIEF, "title": "Cassava mills",
                    "topics": ["mapping-the-system", "financing-the-roadmap"]})  # fmt: skip
    assert response.status_code == 302
    brief = _brief("Cassava mills")
    assert [t.slug for t in brief.topics] == ["financing-the-roadmap", "mapping-the-system"]
    assert brief.revisions[-1].snapshot["topics"] == [
        "financing-the-roadmap", "mapping-the-system"
    ]  # fmt: skip

    brief.status, brief.published_on = Status.PUBLISHED, date(2026, 11, 1)
    db.session.commit()
    page = client.application.test_client().get("/guidebook/mapping-the-system").data.decode()
    assert "Cassava mills" in page


def test_unticking_a_topic_removes_it_and_is_a_new_revision(client, focal, sections):
    login(client, focal)
    post(client, "/workspace/new/briefs", {**BRIEF, "title": "Cassava mills",
         "topics": ["mapping-the-system", "financing-the-roadmap"]})  # fmt: skip
    brief = _brief("Cassava mills")
    edit = f"/workspace/documents/{brief.id}/edit"
    ticked = re.findall(r'<input checked[^>]*value="([^"]+)"', client.get(edit).data.decode())
    assert {"mapping-the-system", "financing-the-roadmap"} <= set(ticked)

    response = post(client, edit, {**BRIEF, "title": "Cassava mills", "version": brief.version,
                    "topics": ["financing-the-roadmap"]})  # fmt: skip

    assert response.status_code == 302
    brief = _brief("Cassava mills")
    assert [t.slug for t in brief.topics] == ["financing-the-roadmap"]
    assert [r.snapshot["topics"] for r in brief.revisions] == [
        ["financing-the-roadmap", "mapping-the-system"], ["financing-the-roadmap"]
    ]  # fmt: skip


def test_a_tag_to_a_section_the_focal_point_cannot_see_survives_their_save(client, focal, sections):
    brief = factories.document(title="Cassava mills", country_code="GHA", status=Status.DRAFT)
    brief.topics = [sections["draft"], sections["mapping"]]  # set by the Secretariat
    db.session.commit()
    login(client, focal)
    edit = f"/workspace/documents/{brief.id}/edit"
    assert "Foresight sketch" not in client.get(edit).data.decode()

    response = post(client, edit, {**BRIEF, "title": "Cassava mills", "version": brief.version,
                    "topics": []})  # fmt: skip

    assert response.status_code == 302
    assert [t.slug for t in _brief("Cassava mills").topics] == ["draft-on-foresight"]


@pytest.mark.parametrize("slug", ["draft-on-foresight", "no-such-section"])
def test_choosing_a_section_not_offered_is_refused_and_the_text_is_kept(
    client, focal, sections, slug
):
    login(client, focal)
    response = post(client, "/workspace/new/briefs", {**BRIEF, "title": "Cassava mills",
                    "body": "My long careful text.", "topics": [slug]})  # fmt: skip

    assert response.status_code == 400
    html = response.data.decode()
    assert "My long careful text." in html
    assert "not a valid choice" in html.lower()
    assert _brief("Cassava mills") is None


def test_the_editing_service_refuses_a_section_the_author_may_not_read(app, focal, sections):
    data = editing.DocumentInput(title="Cassava mills", topics=["draft-on-foresight"])

    with pytest.raises(editing.Invalid, match="not a guidebook section you can choose"):
        editing.create(Kind.POLICY_BRIEF, data, by=focal)


def test_restoring_a_revision_restores_its_topics(app, focal, sections):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    data = editing.DocumentInput(title="Cassava mills", topics=["mapping-the-system"])
    brief = editing.create(Kind.POLICY_BRIEF, data, by=focal)
    editing.update(brief, editing.DocumentInput(title="Cassava mills", topics=[]),
                   expected_version=brief.version, by=focal)  # fmt: skip
    assert brief.topics == []

    editing.restore(brief, 1, expected_version=brief.version, by=editor)

    assert [t.slug for t in brief.topics] == ["mapping-the-system"]


def test_a_caller_that_does_not_offer_topics_leaves_them_alone(app, focal, sections):
    data = editing.DocumentInput(title="Cassava mills", topics=["mapping-the-system"])
    brief = editing.create(Kind.POLICY_BRIEF, data, by=focal)

    editing.update(brief, editing.DocumentInput(title="Cassava mills, revised"),
                   expected_version=brief.version, by=focal)  # fmt: skip

    assert [t.slug for t in brief.topics] == ["mapping-the-system"]
