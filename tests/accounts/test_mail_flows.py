"""Invitations, resets and workflow notices go out through a real local SMTP server."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hub.accounts.models import Role, User
from hub.documents.models import Document
from hub.extensions import db
from tests import factories
from tests.web import login, post

NEW_PASSWORD = "seven tangerine bicycles under rain"


@pytest.fixture
def mail(app, smtp_server):
    smtp_server.configure(app)
    return smtp_server


def _link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://127\.0\.0\.1:5000(/\S+)", body).group(1)


def test_invited_person_sets_a_password_from_the_mailed_link_and_logs_in(app, client, mail):
    login(client, factories.user(role=Role.ADMIN, country_code=None))
    post(client, "/admin/users", {"email": "new.fp@example.org", "name": "New Focal",
                                  "role": "focal_point", "country": "KEN"})  # fmt: skip
    message = mail.wait_for(1)[0]
    assert message["To"] == "new.fp@example.org"
    link = _link(message)
    invited = app.test_client()
    response = post(invited, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.fp@example.org"))
    assert user.country.iso3 == "KEN"
    fresh = app.test_client()
    assert login(fresh, user, NEW_PASSWORD).status_code == 302


def test_invitation_link_works_only_once(app, client, mail):
    login(client, factories.user(role=Role.ADMIN, country_code=None))
    post(client, "/admin/users", {"email": "once@example.org", "name": "Once",
                                  "role": "editor", "country": ""})  # fmt: skip
    link = _link(mail.wait_for(1)[0])
    first = app.test_client()
    post(first, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    second = app.test_client()
    assert second.get(link).status_code == 400


def test_password_reset_link_sets_a_new_password(app, mail):
    person = factories.user(role=Role.EDITOR, country_code=None)
    client = app.test_client()
    post(client, "/account/reset", {"email": person.email})
    link = _link(mail.wait_for(1)[0])
    assert (
        post(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    )
    assert login(app.test_client(), person, NEW_PASSWORD).status_code == 302


def test_weak_password_from_a_reset_link_is_refused_with_the_reason(app, mail):
    person = factories.user(role=Role.EDITOR, country_code=None)
    client = app.test_client()
    post(client, "/account/reset", {"email": person.email})
    link = _link(mail.wait_for(1)[0])
    response = post(client, link, {"password": "password1234", "confirm": "password1234"})
    assert response.status_code == 400
    assert b"common" in response.data.lower()


def test_submission_mails_the_secretariat_and_review_mails_the_country(app, mail):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    author = factories.user(role=Role.FOCAL_POINT, country_code="GHA")
    colleague = factories.user(role=Role.FOCAL_POINT, country_code="GHA")
    factories.user(role=Role.FOCAL_POINT, country_code="SRB")
    focal = app.test_client()
    login(focal, author)
    post(focal, "/workspace/new/briefs", {"title": "Mail me", "language": "en",
                                          "visibility": "public", "save": "1"})  # fmt: skip
    doc = db.session.scalar(select(Document).where(Document.title == "Mail me"))
    page = f"/workspace/documents/{doc.id}"
    post(focal, f"{page}/steps/submit", {"comment": ""}, form_url=page)
    submitted = mail.wait_for(1)[0]
    assert editor.email in submitted["To"] and author.email not in submitted["To"]
    reviewer = app.test_client()
    login(reviewer, editor)
    post(reviewer, f"{page}/steps/request_changes", {"comment": "Add sources."}, form_url=page)
    review = mail.wait_for(2)[1]
    assert {author.email, colleague.email} == {a.strip() for a in review["To"].split(",")}
    assert "Add sources." in review.get_body(preferencelist=("plain",)).get_content()
