"""The review screen: what is about to be published, distinct steps, a confirmed publish."""

from __future__ import annotations

import re

import pytest

from hub.accounts.models import Role
from hub.documents import workflow
from hub.documents.models import Area, Document, Kind, Status, Visibility
from hub.extensions import db
from tests import factories
from tests.security.route_matrix import attach
from tests.web import login, post


@pytest.fixture
def people(app):
    return {
        "gha": factories.user(role=Role.FOCAL_POINT, country_code="GHA"),
        "srb": factories.user(role=Role.FOCAL_POINT, country_code="SRB"),
        "editor": factories.user(role=Role.EDITOR, country_code=None),
    }


@pytest.fixture
def submission(app, tmp_path):
    section = factories.document(kind=Kind.GUIDEBOOK_SECTION, title="Mapping actors")
    doc = factories.document(
        title="Cassava clusters", status=Status.SUBMITTED, goals=[9], targets=["9.5"],
        areas=[Area.KNOWLEDGE_FLOWS], tags=["agro"], visibility=Visibility.MEMBERS,
    )  # fmt: skip
    doc.topics = [section]
    attach(doc, "cassava-survey.pdf", tmp_path)
    db.session.commit()
    return doc


def _page(client, doc: Document) -> str:
    return client.get(f"/workspace/documents/{doc.id}").data.decode()


def test_reviewer_sees_everything_about_to_be_published(client, people, submission):
    login(client, people["editor"])
    html = _page(client, submission)
    summary = html[html.index("What will be published") : html.index("Next step")]

    for shown in ("Policy brief", "Ghana", "English", "SDG 9 · Industry, innovation and "
                  "infrastructure", "9.5", "International knowledge and technology flows",
                  "agro", "Mapping actors", "Members of the Partnership only (logged in)",
                  "1 PDF file"):  # fmt: skip
        assert shown in summary, shown


def test_attachment_under_review_is_a_link_the_reviewer_can_open(client, people, submission):
    login(client, people["editor"])
    html = _page(client, submission)
    attachment = submission.attachments[0]
    url = f"/attachments/{attachment.id}/cassava-survey.pdf"

    assert f'href="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_attachment_of_a_submission_stays_hidden_from_another_country(app, people, submission):
    other = app.test_client()
    login(other, people["srb"])
    attachment = submission.attachments[0]

    assert other.get(f"/attachments/{attachment.id}/cassava-survey.pdf").status_code == 404


def test_publish_and_request_changes_are_distinct_and_labelled(client, people, submission):
    login(client, people["editor"])
    html = _page(client, submission)

    assert re.search(r'<button type="submit" class="primary">Publish</button>', html)
    assert re.search(r'<button type="submit" class="secondary">Request changes</button>', html)
    assert "What needs to change (sent to the author)" in html
    assert 'name="confirm"' in html


def test_publish_without_confirmation_is_refused_and_keeps_the_comment(client, people, submission):
    login(client, people["editor"])
    page = f"/workspace/documents/{submission.id}"
    response = post(client, f"{page}/steps/publish", {"comment": "Well argued."}, form_url=page)
    html = response.data.decode()

    assert response.status_code == 400
    assert "Tick the box to confirm that you have checked what you publish." in html
    assert ">Well argued.</textarea>" in html
    db.session.expire_all()
    assert db.session.get(Document, submission.id).status is Status.SUBMITTED


def test_publish_with_confirmation_publishes(client, people, submission):
    login(client, people["editor"])
    page = f"/workspace/documents/{submission.id}"
    response = post(client, f"{page}/steps/publish", {"comment": "", "confirm": "y"},
                    form_url=page)  # fmt: skip

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Document, submission.id).status is Status.PUBLISHED


def test_focal_point_without_confirmation_is_still_refused_as_not_allowed(
    client, people, submission
):
    login(client, people["gha"])
    page = f"/workspace/documents/{submission.id}"

    assert post(client, f"{page}/steps/publish", {}, form_url="/workspace/").status_code == 403


def test_author_sees_the_change_request_at_the_top_with_who_when_and_a_link_to_edit(
    client, people, submission
):
    workflow.apply(submission, "request_changes", by=people["editor"], comment="Add the baseline.")
    login(client, people["gha"])
    html = _page(client, submission)
    notice = html[html.index('class="notice change-request"') : html.index("</section>")]

    assert html.index("Add the baseline.") < html.index('id="summary-h"')
    assert f"{people['editor'].name} asked for changes on" in notice
    assert f'href="/workspace/documents/{submission.id}/edit"' in notice


def test_request_without_a_comment_is_refused_next_to_the_comment_box(client, people, submission):
    login(client, people["editor"])
    page = f"/workspace/documents/{submission.id}"
    response = post(client, f"{page}/steps/request_changes", {"comment": " "}, form_url=page)
    html = response.data.decode()

    assert response.status_code == 400
    start = html.index('id="step-request_changes"')
    form = html[start : html.index("</form>", start)]
    assert "Say what should change: the author sees your comment." in form
    db.session.expire_all()
    assert db.session.get(Document, submission.id).status is Status.SUBMITTED
