"""Reply notices reach followers through a real local SMTP server, and their notifications page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.documents import workflow
from hub.extensions import db
from hub.forum import moderation, service, subscriptions
from hub.forum.models import Post, Subscription
from hub.notifications.models import Category, Notification
from tests.forum.conftest import client_for, link_in, posts_of, started
from tests.web import post


@pytest.fixture
def mail(app, smtp_server):
    smtp_server.configure(app)
    return smtp_server


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_reply_mails_every_follower_but_its_author(app, mail, brief, gha, gha_colleague, srb):
    thread = started(brief, gha, title="Funding the roadmap")
    subscriptions.subscribe(thread, by=gha_colleague)
    serbia = client_for(app, srb)
    response = post(serbia, f"/discussions/{thread.id}/reply",
                    {"body": "We used a **national fund**."},
                    form_url=f"/discussions/{thread.id}")  # fmt: skip
    assert response.status_code == 303
    messages = mail.wait_for(2)
    assert sorted(m["To"] for m in messages) == sorted([gha.email, gha_colleague.email])
    assert srb.email not in [m["To"] for m in messages]
    body = _body(messages[0])
    assert messages[0]["Subject"] == "New reply: Funding the roadmap"
    assert "We used a national fund." in body
    reply_id = posts_of(thread.id)[-1].id
    assert link_in(body, "/discussions/") == f"/discussions/{thread.id}#post-{reply_id}"
    assert "/discussions/unsubscribe/" in body


def test_a_reply_adds_a_reply_notification_for_each_follower(app, mail, brief, gha, srb):
    thread = started(brief, gha)
    service.reply(thread, "Hello", by=srb)
    rows = db.session.scalars(select(Notification)).all()
    assert [(n.user_id, n.category) for n in rows] == [(gha.id, Category.REPLY)]
    assert rows[0].url.startswith(f"/discussions/{thread.id}#post-")


def test_no_mail_to_inactive_followers_or_those_who_may_no_longer_read(
    app, mail, brief, gha, gha_colleague, srb, editor
):
    thread = started(brief, gha)
    service.reply(thread, "Serbia follows", by=srb)
    mail.wait_for(1)  # Ghana heard of Serbia's reply
    gha_colleague.is_active = False
    db.session.add(Subscription(thread_id=thread.id, user_id=gha_colleague.id))
    db.session.commit()
    workflow.apply(brief, "archive", by=editor)  # Serbia may no longer read it; Ghana may
    service.reply(thread, "A Ghana-only note", by=editor)
    mail.wait_for(3)  # and Ghana heard of the archiving
    replies = [m["To"] for m in mail.messages if m["Subject"].startswith("New reply")]
    assert replies == [gha.email, gha.email]


def test_no_notice_for_a_removed_post(app, brief, gha, srb, editor):
    thread = started(brief, gha)
    reply = service.reply(thread, "Spam", by=srb)
    moderation.hide_post(reply, "Spam", by=editor)
    assert subscriptions.recipients(db.session.get(Post, reply.id)) == []


def test_the_unsubscribe_link_in_the_mail_stops_further_mail(app, mail, brief, gha, srb):
    thread = started(brief, gha)
    service.reply(thread, "First reply", by=srb)
    link = link_in(_body(mail.wait_for(1)[0]), "/discussions/unsubscribe/")
    reader = app.test_client()  # the mail is opened where nobody is logged in
    assert reader.get(link).status_code == 200
    assert post(reader, link, {}).status_code == 200
    service.reply(thread, "Second reply", by=srb)
    assert len(mail.messages) == 1


def test_a_mail_server_that_is_down_does_not_lose_the_reply(app, brief, gha, srb):
    from tests.mailserver import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)
    thread = started(brief, gha)
    serbia = client_for(app, srb)
    response = post(serbia, f"/discussions/{thread.id}/reply", {"body": "Still saved"},
                    form_url=f"/discussions/{thread.id}")  # fmt: skip
    assert response.status_code == 303
    assert posts_of(thread.id)[-1].body == "Still saved"
