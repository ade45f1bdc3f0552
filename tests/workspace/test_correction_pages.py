"""Correcting a published brief through the pages: the offer, the editor, the review, the result."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.documents import corrections
from hub.documents.models import Document, Status
from hub.extensions import db
from tests import factories
from tests.web import login, post

NOTICE = (
    "This brief is published. You can propose a correction: it will be reviewed, and the "
    "published version stays online until the correction is published."
)


@pytest.fixture
def people(app):
    return {
        "gha": factories.user(role=Role.FOCAL_POINT, country_code="GHA"),
        "srb": factories.user(role=Role.FOCAL_POINT, country_code="SRB"),
        "editor": factories.user(role=Role.EDITOR, country_code=None),
    }


@pytest.fixture
def brief(app):
    return factories.document(title="Cassava clusters", body="Solar dryers.")


def _start(client, doc: Document):
    page = f"/workspace/documents/{doc.id}"
    return post(client, f"{page}/correction", {}, form_url=page)


def _correction(doc: Document) -> Document | None:
    db.session.expire_all()
    return db.session.scalar(select(Document).where(Document.revision_of_id == doc.id))


def test_focal_point_is_offered_a_correction_on_their_published_brief(client, people, brief):
    login(client, people["gha"])
    html = client.get(f"/workspace/documents/{brief.id}").data.decode()

    assert NOTICE in html and "Start a correction" in html


def test_another_countrys_focal_point_is_offered_no_correction(client, people, brief):
    login(client, people["srb"])
    html = client.get(f"/workspace/documents/{brief.id}").data.decode()

    assert "Start a correction" not in html


def test_edit_address_of_a_published_brief_explains_and_offers_a_correction(client, people, brief):
    login(client, people["gha"])
    response = client.get(f"/workspace/documents/{brief.id}/edit")
    html = response.data.decode()

    assert response.status_code == 403
    assert NOTICE in html and "Start a correction" in html


def test_starting_a_correction_opens_its_editor(client, people, brief):
    login(client, people["gha"])
    response = _start(client, brief)
    correction = _correction(brief)

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/workspace/documents/{correction.id}/edit")
    html = client.get(f"/workspace/documents/{correction.id}/edit").data.decode()
    assert "This is a correction of the published document “Cassava clusters”" in html


def test_starting_twice_opens_the_same_correction(client, people, brief):
    login(client, people["gha"])
    _start(client, brief)
    first = _correction(brief).id
    response = _start(client, brief)

    assert response.headers["Location"].endswith(f"/workspace/documents/{first}/edit")
    count = select(db.func.count()).where(Document.revision_of_id == brief.id)
    assert db.session.scalar(count) == 1


def test_reviewer_sees_the_correction_labelled_in_the_queue_with_its_changes(
    app, client, people, brief
):
    correction = corrections.start(brief, by=people["gha"])
    correction.body = "Biomass dryers."
    correction.status = Status.SUBMITTED
    db.session.commit()
    login(client, people["editor"])

    queue = client.get("/workspace/").data.decode()
    assert "Correction of the published “Cassava clusters”" in queue
    page = client.get(f"/workspace/documents/{correction.id}").data.decode()
    assert "Changes against the published version" in page
    assert "<del>Solar</del>" in page and "<ins>Biomass</ins>" in page


def test_published_page_keeps_the_old_text_until_the_reviewer_publishes_the_correction(
    app, client, people, brief
):
    correction = corrections.start(brief, by=people["gha"])
    correction.body = "Biomass dryers."
    correction.status = Status.SUBMITTED
    db.session.commit()
    public = app.test_client()
    assert "Solar dryers." in public.get(f"/briefs/{brief.slug}").data.decode()

    login(client, people["editor"])
    page = f"/workspace/documents/{correction.id}"
    response = post(client, f"{page}/steps/publish", {"confirm": "y"}, form_url=page)

    assert response.headers["Location"].endswith(f"/workspace/documents/{brief.id}")
    html = public.get(f"/briefs/{brief.slug}").data.decode()
    assert "Biomass dryers." in html and "Solar dryers." not in html
