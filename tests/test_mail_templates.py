"""Mail bodies are plain-text templates (hub/templates/mail/*.txt): nothing in them is HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import render_template

from hub.accounts import service
from hub.accounts.models import Role
from hub.extensions import db
from tests import factories

MAIL_TEMPLATES = sorted(
    p.name for p in (Path(__file__).parent.parent / "hub" / "templates" / "mail").glob("*.txt")
)


@pytest.mark.parametrize("name", MAIL_TEMPLATES)
def test_mail_templates_are_not_html_escaped(app, name):
    assert app.select_jinja_autoescape(f"mail/{name}") is False


def test_a_name_with_html_characters_reaches_the_mail_as_typed(app, smtp_server):
    smtp_server.configure(app)
    user = factories.user(role=Role.FOCAL_POINT, country_code="GHA")
    user.name = "Ama & <Kofi>"
    db.session.commit()
    with app.test_request_context():  # the invitation link is built with url_for
        service.send_invitation(user, by=None)
    body = smtp_server.wait_for(1)[0].get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Hello Ama & <Kofi>,\n")


def test_a_count_of_one_reads_in_the_singular(app):
    body = render_template("mail/invitation.txt", name="Ama", hours=1, link="https://hub.test/x")
    assert "expires in 1 hour):" in body
