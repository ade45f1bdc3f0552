"""The Secretariat's review: every transition (allowed and refused), races, notes, permissions and
the e-mail the applicant gets at each step."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.applications import review
from hub.applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationNote,
    ApplicationStatus,
)
from hub.countries.models import PartnershipStatus
from hub.errors import Conflict, Invalid, InvalidTransition, NotAllowed
from hub.extensions import db
from hub.notifications.models import Notification
from tests import factories
from tests.applications.conftest import make_application
from tests.web import login, post

S = ApplicationStatus
ALLOWED = sorted((a, b) for a, targets in review.TRANSITIONS.items() for b in targets)
REFUSED = sorted((a, b) for a, b in itertools.product(S, S) if b not in review.TRANSITIONS[a])


def test_the_transition_table_is_the_one_the_secretariat_agreed():
    assert {
        S.RECEIVED: {S.UNDER_REVIEW, S.INFO_REQUESTED, S.DECLINED},
        S.UNDER_REVIEW: {S.INFO_REQUESTED, S.ACCEPTED, S.WAITLISTED, S.DECLINED},
        S.INFO_REQUESTED: {S.UNDER_REVIEW, S.DECLINED},
        S.WAITLISTED: {S.UNDER_REVIEW, S.ACCEPTED, S.DECLINED},
        S.ACCEPTED: set(),
        S.DECLINED: set(),
    } == review.TRANSITIONS


@pytest.mark.parametrize(("start", "to"), ALLOWED, ids=lambda s: s.value)
def test_every_allowed_transition_changes_status_records_it_and_mails_the_applicant(
    app, mail, start, to
):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    application = make_application("MWI", status=start)
    mail.messages.clear()
    with app.test_request_context():  # acceptance mails invitation links
        result = review.change_status(
            application,
            to,
            message="Please send the 2024 STI budget.",
            expected_version=application.version,
            by=editor,
        )
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.status is to
    assert application.events[-1].from_status is start
    assert application.events[-1].author_id == editor.id
    assert (application.open_country_id is not None) == (to in OPEN_STATUSES)
    assert result.mail_sent
    message = next(m for m in mail.wait_for(1) if application.reference in m["Subject"])
    assert message["To"] == "chikondi@example.org"
    assert review.STATUS_LABELS[to].lower() in message["Subject"].lower()
    assert "Please send the 2024 STI budget." in message.get_content()


@pytest.mark.parametrize(("start", "to"), REFUSED, ids=lambda s: s.value)
def test_every_other_transition_is_refused_and_changes_nothing(app, mail, start, to):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    application = make_application("MWI", status=start)
    mail.messages.clear()
    version = application.version
    with pytest.raises(InvalidTransition) as refused:
        review.change_status(application, to, message="x", expected_version=version, by=editor)
    assert "cannot be moved to" in refused.value.message
    db.session.rollback()
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.status is start and application.version == version
    assert mail.messages == []


def test_asking_for_more_information_must_say_what_is_needed(app):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    application = make_application("MWI")
    with pytest.raises(Invalid, match="Say what information is needed"):
        review.change_status(
            application,
            S.INFO_REQUESTED,
            message="  ",
            expected_version=application.version,
            by=editor,
        )


def test_the_info_request_mail_says_what_is_needed(app, mail):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    application = make_application("MWI")
    review.change_status(
        application,
        S.INFO_REQUESTED,
        message="The name of the roadmap's lead ministry.",
        expected_version=application.version,
        by=editor,
    )
    body = mail.wait_for(2)[-1].get_content()
    assert "What is needed:" in body and "The name of the roadmap's lead ministry." in body
    assert "reply to this e-mail" in body


def test_a_stale_version_is_a_conflict_not_an_overwrite(app, mail):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    application = make_application("MWI")
    seen = application.version
    review.change_status(application, S.UNDER_REVIEW, message="", expected_version=seen, by=editor)
    with pytest.raises(Conflict, match="Someone else changed this application"):
        review.change_status(application, S.DECLINED, message="", expected_version=seen, by=editor)
    db.session.expire_all()
    assert db.session.get(Application, application.id).status is S.UNDER_REVIEW


def test_two_editors_racing_in_the_browser_get_a_clear_conflict(app, mail):
    application = make_application("MWI")
    url = f"/applications/review/{application.id}"
    first, second = app.test_client(), app.test_client()
    login(first, factories.user(role=Role.EDITOR, country_code=None))
    login(second, factories.user(role=Role.ADMIN, country_code=None))
    version = str(application.version)
    a = post(
        first,
        url + "/status",
        {"to": "under_review", "message": "", "version": version},
        form_url=url,
    )
    assert a.status_code == 303
    b = post(
        second,
        url + "/status",
        {"to": "declined", "message": "My careful reasons.", "version": version},
        form_url=url,
    )
    html = b.data.decode()
    assert b.status_code == 409
    assert "Someone else changed this application" in html
    assert "My careful reasons." in html
    db.session.expire_all()
    assert db.session.get(Application, application.id).status is S.UNDER_REVIEW


def test_a_refused_transition_in_the_browser_says_why(app, mail):
    application = make_application("MWI", status=S.DECLINED)
    url = f"/applications/review/{application.id}"
    client = app.test_client()
    login(client, factories.user(role=Role.EDITOR, country_code=None))
    response = post(
        client,
        url + "/status",
        {"to": "accepted", "message": "", "version": str(application.version)},
        form_url=url,
    )
    assert response.status_code == 409
    assert "cannot be moved to" in response.data.decode()


def test_the_country_is_an_applicant_while_under_review_and_not_after_a_decline(app, mail):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    application = make_application("MWI")
    assert application.country.partnership_status is PartnershipStatus.NONE
    review.change_status(
        application, S.UNDER_REVIEW, message="", expected_version=application.version, by=editor
    )
    assert application.country.partnership_status is PartnershipStatus.APPLICANT
    review.change_status(
        application, S.DECLINED, message="", expected_version=application.version, by=editor
    )
    assert application.country.partnership_status is PartnershipStatus.NONE


def test_notes_record_author_and_time_and_stay_internal(app, mail):
    application = make_application("MWI")
    editor = factories.user(role=Role.EDITOR, country_code=None)
    client = app.test_client()
    login(client, editor)
    url = f"/applications/review/{application.id}"
    response = post(
        client, url + "/notes", {"body": "Spoke to the ministry: strong case."}, form_url=url
    )
    assert response.status_code == 303
    note = db.session.scalar(select(ApplicationNote))
    assert note.author_id == editor.id and note.created_at is not None
    page = client.get(url).data.decode()
    assert "Spoke to the ministry: strong case." in page and editor.name in page
    empty = post(client, url + "/notes", {"body": ""}, form_url=url)
    assert empty.status_code == 400 and "Write the note" in empty.data.decode()
    review.change_status(
        application, S.UNDER_REVIEW, message="", expected_version=application.version, by=editor
    )
    assert all("strong case" not in m.get_content() for m in mail.wait_for(2))


def test_the_queue_filters_by_status(app):
    make_application("MWI")
    make_application("FJI", status=S.WAITLISTED)
    client = app.test_client()
    login(client, factories.user(role=Role.EDITOR, country_code=None))
    everything = client.get("/applications/review").data.decode()
    assert "Malawi" in everything and "Fiji" in everything
    waitlisted = client.get("/applications/review?status=waitlisted").data.decode()
    assert "Fiji" in waitlisted and "Malawi" not in waitlisted
    assert client.get("/applications/review?status=nonsense").status_code == 200


REVIEW_GETS = ["/applications/review", "/applications/review/{id}", "/applications/review/priority"]
REVIEW_POSTS = {
    "/applications/review/{id}/notes": {"body": "A note"},
    "/applications/review/{id}/status": {"to": "declined", "message": "", "version": "1"},
    "/applications/review/priority": {
        "seen": "",
        "diversity": "1",
        "development": "1",
        "initiatives": "1",
        "commitment": "1",
    },
}


def test_the_public_is_sent_to_log_in_and_sees_nothing_of_the_review(app):
    application = make_application("MWI", consent_official=False)
    client = app.test_client()
    for url in REVIEW_GETS:
        response = client.get(url.format(id=application.id))
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for url, data in REVIEW_POSTS.items():
        response = post(client, url.format(id=application.id), data, form_url="/login")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Application, application.id).status is S.RECEIVED
    assert db.session.scalar(select(ApplicationNote)) is None


def test_focal_points_cannot_review(app):
    application = make_application("GHA")
    client = app.test_client()
    login(client, factories.user(role=Role.FOCAL_POINT, country_code="GHA"))
    for url in REVIEW_GETS:
        assert client.get(url.format(id=application.id)).status_code == 403
    for url, data in REVIEW_POSTS.items():
        assert (
            post(client, url.format(id=application.id), data, form_url="/login").status_code == 403
        )
    db.session.expire_all()
    assert db.session.get(Application, application.id).status is S.RECEIVED
    assert db.session.scalar(select(ApplicationNote)) is None


def test_services_refuse_a_focal_point_without_a_request(app):
    application = make_application("GHA")
    focal = factories.user(role=Role.FOCAL_POINT, country_code="GHA")
    with pytest.raises(NotAllowed):
        review.change_status(
            application, S.DECLINED, message="", expected_version=application.version, by=focal
        )
    with pytest.raises(NotAllowed):
        review.add_note(application, "x", by=focal)
    with pytest.raises(NotAllowed):
        review.priority(by=None)


def test_staff_are_notified_of_a_new_application_and_a_submitting_focal_point_of_each_step(
    app, mail
):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    application = make_application("MWI")
    assert db.session.scalar(select(Notification).where(Notification.user_id == editor.id))
    sender = factories.user(role=Role.FOCAL_POINT, country_code="KEN", email="chikondi@example.org")
    review.change_status(
        application, S.UNDER_REVIEW, message="", expected_version=application.version, by=editor
    )
    told = db.session.scalar(select(Notification).where(Notification.user_id == sender.id))
    assert told is not None and "Under review" in told.message


def test_a_step_whose_mail_fails_is_kept_and_the_editor_is_told(app, mail):
    application = make_application("MWI")
    mail.refuse.add("chikondi@example.org")
    client = app.test_client()
    login(client, factories.user(role=Role.EDITOR, country_code=None))
    url = f"/applications/review/{application.id}"
    response = post(
        client, url + "/status",
        {"to": "under_review", "message": "", "version": str(application.version)},
        form_url=url, follow_redirects=True,
    )  # fmt: skip
    html = response.data.decode()
    assert "The e-mail to the applicant could not be sent" in html
    db.session.expire_all()
    assert db.session.get(Application, application.id).status is S.UNDER_REVIEW
