"""Subscribing and unsubscribing, from the thread and from the signed link in the e-mails."""

from __future__ import annotations

import pytest

from hub.errors import Invalid
from hub.forum import service, subscriptions
from hub.forum.models import Subscription
from tests.forum.conftest import client_for, started
from tests.web import post


def _following(thread_id: int, user_id: int) -> bool:
    from hub.extensions import db

    db.session.expire_all()
    return db.session.get(Subscription, (thread_id, user_id)) is not None


def test_the_author_of_a_thread_and_of_a_reply_are_subscribed(app, brief, gha, srb):
    thread = started(brief, gha)
    service.reply(thread, "Me too", by=srb)
    assert _following(thread.id, gha.id) and _following(thread.id, srb.id)


def test_replying_twice_subscribes_once(app, brief, gha, srb):
    thread = started(brief, gha)
    service.reply(thread, "One", by=srb)
    service.reply(thread, "Two", by=srb)
    from sqlalchemy import func, select

    from hub.extensions import db

    count = db.session.scalar(
        select(func.count()).select_from(Subscription).where(Subscription.user_id == srb.id)
    )
    assert count == 1


def test_the_thread_buttons_subscribe_and_unsubscribe(app, brief, gha, srb):
    thread = started(brief, gha)
    serbia = client_for(app, srb)
    page = f"/discussions/{thread.id}"
    assert f'action="{page}/subscribe"' in serbia.get(page).get_data(as_text=True)
    assert post(serbia, f"{page}/subscribe", {}, form_url=page).status_code == 303
    assert _following(thread.id, srb.id)
    assert f'action="{page}/unsubscribe"' in serbia.get(page).get_data(as_text=True)
    assert post(serbia, f"{page}/unsubscribe", {}, form_url=page).status_code == 303
    assert not _following(thread.id, srb.id)


def test_the_link_asks_first_then_unsubscribes_without_logging_in(app, brief, gha):
    thread = started(brief, gha, title="Budget lines")
    with app.test_request_context():
        url = subscriptions.unsubscribe_url(gha, thread).split("127.0.0.1:5000", 1)[1]
    anonymous = app.test_client()
    confirm = anonymous.get(url)
    assert confirm.status_code == 200
    assert "Budget lines" in confirm.get_data(as_text=True)
    assert _following(thread.id, gha.id), "a GET (a mail scanner) must not unsubscribe"
    response = post(anonymous, url, {})
    assert response.status_code == 200
    assert "you will get no more e-mails about this discussion" in response.get_data(as_text=True)
    assert not _following(thread.id, gha.id)


def test_a_tampered_link_is_refused_with_a_clear_message(app, brief, gha, srb):
    thread = started(brief, gha)
    service.reply(thread, "Following", by=srb)
    with app.test_request_context():
        token = subscriptions.make_token(srb, thread)
    # Point the link at another person's subscription, keeping the signature.
    forged = subscriptions.make_token(gha, thread).split(".")[0] + "." + token.split(".")[1]
    anonymous = app.test_client()
    for bad in (forged, token[:-3], "not-a-token"):
        response = anonymous.get(f"/discussions/unsubscribe/{bad}")
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
        with pytest.raises(Invalid):
            subscriptions.read_token(bad)
    assert _following(thread.id, gha.id) and _following(thread.id, srb.id)


def test_the_link_works_after_the_subscription_is_gone(app, brief, gha):
    thread = started(brief, gha)
    subscriptions.unsubscribe(thread, gha)
    with app.test_request_context():
        url = subscriptions.unsubscribe_url(gha, thread).split("127.0.0.1:5000", 1)[1]
    response = post(app.test_client(), url, {})
    assert response.status_code == 200
    assert not _following(thread.id, gha.id)
