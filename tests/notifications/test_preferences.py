"""The e-mail digest choice on the notifications page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hub.accounts.models import Role
from hub.dbtypes import utcnow
from hub.extensions import db
from hub.notifications import inbox
from hub.notifications.models import Digest, NotificationPreference
from tests import factories
from tests.web import login, post

PAGE = "/notifications/"
SAVE = "/notifications/preferences"


@pytest.fixture
def person(app):
    return factories.user(role=Role.EDITOR, country_code=None)


def _saved(user_id):
    db.session.expire_all()
    return db.session.get(NotificationPreference, user_id)


def _checked(html: str) -> str:
    tags = re.findall(r'<input[^>]*name="digest"[^>]*>', html)
    (tag,) = [t for t in tags if re.search(r"\schecked[\s>]", t)]
    return re.search(r'value="(\w+)"', tag).group(1)


def test_no_digest_until_the_user_chooses_one(client, person):
    login(client, person)
    html = client.get(PAGE).get_data(as_text=True)
    assert _checked(html) == "off"
    assert _saved(person.id) is None


def test_choosing_weekly_saves_it_and_says_so(client, person):
    login(client, person)
    response = post(client, SAVE, {"digest": "weekly"}, form_url=PAGE, follow_redirects=True)
    assert "you will get a weekly e-mail digest" in response.get_data(as_text=True)
    assert _saved(person.id).digest is Digest.WEEKLY


def test_the_page_shows_the_saved_choice(client, person):
    inbox.set_digest(person, Digest.DAILY)
    login(client, person)
    html = client.get(PAGE).get_data(as_text=True)
    assert _checked(html) == "daily"


def test_switching_off_keeps_the_time_of_the_last_digest(person):
    inbox.set_digest(person, Digest.DAILY)
    last = utcnow() - timedelta(hours=3)
    _saved(person.id).last_digest_at = last
    db.session.commit()
    inbox.set_digest(person, Digest.OFF)
    saved = _saved(person.id)
    assert saved.digest is Digest.OFF and saved.last_digest_at == last


@pytest.mark.parametrize("value", ["hourly", "", "DAILY"])
def test_bad_choice_is_refused_with_a_clear_message_and_nothing_saved(client, person, value):
    inbox.set_digest(person, Digest.WEEKLY)
    login(client, person)
    response = post(client, SAVE, {"digest": value}, form_url=PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose one of the options: no e-mail digest, daily or weekly." in html
    assert "Your digest choice was not saved" in html
    assert _saved(person.id).digest is Digest.WEEKLY


def test_missing_choice_is_refused_with_the_same_message(client, person):
    login(client, person)
    response = post(client, SAVE, {}, form_url=PAGE)
    assert response.status_code == 400
    assert "Choose one of the options" in response.get_data(as_text=True)


def test_choice_without_csrf_token_is_refused(client, person):
    login(client, person)
    client.get(PAGE)
    response = client.post(SAVE, data={"digest": "daily"})
    assert response.status_code == 400
    assert _saved(person.id) is None


def test_anonymous_cannot_choose(client):
    response = client.post(SAVE, data={"digest": "daily"})
    assert response.status_code in (302, 400)
    assert response.status_code != 200
