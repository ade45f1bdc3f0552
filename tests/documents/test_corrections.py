"""Corrections of published briefs: proposed by the country, reviewed, and only then live."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.documents import corrections, editing, service, workflow
from hub.documents.models import Area, Document, Kind, Status, Visibility
from hub.errors import InvalidTransition, NotAllowed, NotFound
from hub.extensions import db
from hub.reporting.service import report_dates
from hub.search import indexing
from hub.search.query import SearchRequest, search
from tests import factories
from tests.web import login

OLD = "Cassava mills in the Ashanti region use solar dryers, wrote zebrafishold."
NEW = "Cassava mills in the Ashanti region use biomass dryers, wrote zebrafishnew."


@pytest.fixture
def people(app):
    return {
        "gha": factories.user(role=Role.FOCAL_POINT, country_code="GHA"),
        "srb": factories.user(role=Role.FOCAL_POINT, country_code="SRB"),
        "editor": factories.user(role=Role.EDITOR, country_code=None),
    }


@pytest.fixture
def brief(app):
    doc = factories.document(
        title="Cassava clusters", body=OLD, goals=[2], areas=[Area.CAPABILITIES], tags=["agro"]
    )
    indexing.catch_up()
    return doc


def _edit(correction: Document, by, **changes) -> None:
    data = editing.DocumentInput(
        title=changes.get("title", correction.title),
        summary=correction.summary,
        body=changes.get("body", correction.body),
        goals=changes.get("goals", [g.number for g in correction.goals]),
        areas=changes.get("areas", correction.areas),
        tags=changes.get("tags", [t.name for t in correction.tags]),
        visibility=correction.visibility,
    )
    editing.update(correction, data, expected_version=correction.version, by=by)


def _reviewed(correction: Document, people) -> None:
    workflow.apply(correction, "submit", by=people["gha"])
    workflow.apply(correction, "publish", by=people["editor"], comment="Thanks.")
    indexing.catch_up()


def _hits(word: str, viewer=None) -> list[str]:
    return [hit.slug for hit in search(SearchRequest(word), viewer=viewer).hits]


def test_focal_point_starts_a_correction_as_a_draft_copy_of_the_published_brief(people, brief):
    correction = corrections.start(brief, by=people["gha"])

    assert correction.revision_of_id == brief.id and correction.status is Status.DRAFT
    assert correction.slug != brief.slug and correction.kind is Kind.POLICY_BRIEF
    assert (correction.title, correction.body) == (brief.title, brief.body)
    assert [g.number for g in correction.goals] == [2]
    assert [t.name for t in correction.tags] == ["agro"]
    assert correction.country_id == brief.country_id


def test_a_second_start_opens_the_correction_already_open(people, brief):
    first = corrections.start(brief, by=people["gha"])
    other = factories.user(role=Role.FOCAL_POINT, country_code="GHA")

    assert corrections.start(brief, by=other).id == first.id
    count = select(db.func.count()).where(Document.revision_of_id == brief.id)
    assert db.session.scalar(count) == 1


def test_focal_point_of_another_country_cannot_start_a_correction(people, brief):
    with pytest.raises(NotAllowed):
        corrections.start(brief, by=people["srb"])


def test_a_draft_cannot_be_corrected_it_is_edited(people):
    draft = factories.document(status=Status.DRAFT)
    with pytest.raises(NotAllowed):
        corrections.start(draft, by=people["gha"])


def test_the_secretariat_edits_published_documents_directly_not_through_corrections(people, brief):
    with pytest.raises(NotAllowed):
        corrections.start(brief, by=people["editor"])


def test_published_brief_stays_live_and_searchable_with_its_old_text_until_the_correction(
    people, brief
):
    correction = corrections.start(brief, by=people["gha"])
    _edit(correction, people["gha"], body=NEW)
    workflow.apply(correction, "submit", by=people["gha"])
    indexing.catch_up()

    db.session.expire_all()
    assert db.session.get(Document, brief.id).body == OLD
    assert _hits("zebrafishold") == [brief.slug]
    assert _hits("zebrafishnew") == []
    assert _hits("zebrafishnew", viewer=people["gha"]) == []


def test_publishing_the_correction_replaces_the_text_and_keeps_the_address(people, brief):
    slug, published_on = brief.slug, brief.published_on
    correction = corrections.start(brief, by=people["gha"])
    _edit(correction, people["gha"], title="Cassava clusters (2026)", body=NEW, goals=[2, 9],
          tags=["agro", "energy"])  # fmt: skip
    correction_id = correction.id

    _reviewed(correction, people)

    db.session.expire_all()
    doc = db.session.get(Document, brief.id)
    assert (doc.slug, doc.status, doc.published_on) == (slug, Status.PUBLISHED, published_on)
    assert (doc.title, doc.body) == ("Cassava clusters (2026)", NEW)
    assert [g.number for g in doc.goals] == [2, 9]
    assert [t.name for t in doc.tags] == ["agro", "energy"]
    assert doc.revisions[-1].note == "published a correction"
    assert db.session.get(Document, correction_id) is None
    assert _hits("zebrafishnew") == [slug] and _hits("zebrafishold") == []


def test_the_review_steps_of_the_correction_join_the_published_documents_history(people, brief):
    correction = corrections.start(brief, by=people["gha"])
    workflow.apply(correction, "submit", by=people["gha"])
    workflow.apply(correction, "request_changes", by=people["editor"], comment="Cite the survey.")
    workflow.apply(correction, "submit", by=people["gha"])
    workflow.apply(correction, "publish", by=people["editor"])

    db.session.expire_all()
    steps = [e.to_status for e in db.session.get(Document, brief.id).events]
    assert steps[-4:] == [
        Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.SUBMITTED, Status.PUBLISHED,
    ]  # fmt: skip


def test_attachments_uploaded_to_the_correction_join_the_published_document(
    app, people, brief, tmp_path
):
    source = tmp_path / "annex.pdf"
    source.write_bytes(factories.pdf_bytes("Annex with the 2026 survey."))
    correction = corrections.start(brief, by=people["gha"])
    editing.attach_pdf(correction, source, "annex.pdf", by=people["gha"])

    _reviewed(db.session.get(Document, correction.id), people)

    db.session.expire_all()
    assert [a.filename for a in db.session.get(Document, brief.id).attachments] == ["annex.pdf"]


def test_a_new_correction_can_start_once_the_last_one_is_published(people, brief):
    _reviewed(corrections.start(brief, by=people["gha"]), people)

    again = corrections.start(db.session.get(Document, brief.id), by=people["gha"])

    assert again.status is Status.DRAFT and again.revision_of_id == brief.id


def test_a_correction_of_an_archived_document_cannot_be_published(people, brief):
    correction = corrections.start(brief, by=people["gha"])
    workflow.apply(correction, "submit", by=people["gha"])
    workflow.apply(brief, "archive", by=people["editor"])

    with pytest.raises(InvalidTransition):
        workflow.apply(correction, "publish", by=people["editor"])


def test_the_correction_is_hidden_from_the_public_and_from_other_countries(app, people, brief):
    correction = corrections.start(brief, by=people["gha"])
    anonymous = app.test_client()

    assert anonymous.get(f"/briefs/{correction.slug}").status_code == 404
    assert anonymous.get("/briefs/").data.decode().count("Cassava clusters") == 1
    with pytest.raises(NotFound):
        service.get_for_viewer(Kind.POLICY_BRIEF, correction.slug, viewer=people["srb"])


def test_the_correction_keeps_the_visibility_of_the_published_brief(people):
    members = factories.document(visibility=Visibility.MEMBERS)
    assert corrections.start(members, by=people["gha"]).visibility is Visibility.MEMBERS


def test_a_correction_is_not_taken_for_the_countrys_previous_brief(client, people, brief):
    correction = corrections.start(brief, by=people["gha"])
    login(client, people["gha"])
    html = client.get(f"/briefs/{correction.slug}").data.decode()

    assert "What changed since “Cassava clusters”" not in html
    assert "No earlier brief of this country in English to compare with." in html


def test_publishing_a_correction_does_not_count_as_a_new_report(people, brief):
    _reviewed(corrections.start(brief, by=people["gha"]), people)

    assert report_dates([brief.country_id])[brief.country_id] == [brief.published_on]
