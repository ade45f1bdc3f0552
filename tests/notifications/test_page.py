"""The notifications page: a user's own notifications, newest first, filtered, marked read."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.dbtypes import utcnow
from hub.extensions import db
from hub.notifications import inbox
from hub.notifications.models import Category, Notification
from hub.notifications.service import notify
from tests import factories
from tests.web import csrf_token, login, post

PAGE = "/notifications/"


@pytest.fixture
def focal(app):
    return factories.user(role=Role.FOCAL_POINT, country_code="GHA")


@pytest.fixture
def other(app):
    return factories.user(role=Role.FOCAL_POINT, country_code="SRB")


def _note(user, message, category=Category.SUBMISSION, url="/briefs/x", age_minutes=0, **extra):
    row = notify(user, category, message, url)
    row.created_at = utcnow() - timedelta(minutes=age_minutes)
    for name, value in extra.items():
        setattr(row, name, value)
    db.session.commit()
    return row


def _current(row_id):
    db.session.expire_all()
    return db.session.get(Notification, row_id)


def _items(html: str) -> list[str]:
    return re.findall(r'<li class="notification (?:unread|read)">(.*?)</li>', html, re.S)


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_page_lists_own_notifications_newest_first(client, focal):
    _note(focal, "Oldest thing happened", age_minutes=30)
    _note(focal, "Newest thing happened", age_minutes=1)
    _note(focal, "Middle thing happened", age_minutes=10)
    login(client, focal)
    html = client.get(PAGE).get_data(as_text=True)
    messages = re.findall(r'<p class="message">(.*?)</p>', html)
    order = [re.search(r"(\w+) thing happened", m).group(1) for m in messages]
    assert order == ["Newest", "Middle", "Oldest"]


def test_another_users_notifications_are_not_on_my_page(client, focal, other):
    _note(other, "Serbia only secret-word-4411")
    _note(focal, "Mine")
    login(client, focal)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Mine" in html and "secret-word-4411" not in html


def test_unread_is_said_in_words_not_colour_alone(client, focal):
    _note(focal, "Still unread")
    _note(focal, "Already seen", read_at=utcnow())
    login(client, focal)
    items = _items(client.get(PAGE).get_data(as_text=True))
    unread = next(i for i in items if "Still unread" in i)
    seen = next(i for i in items if "Already seen" in i)
    assert ">Unread</strong>" in unread and "Mark as read" in unread
    assert ">Read</span>" in seen and "Mark as read" not in seen


def test_message_links_to_the_thing_concerned(client, focal):
    _note(focal, "Your brief was published", url="/briefs/cassava")
    login(client, focal)
    html = client.get(PAGE).get_data(as_text=True)
    assert '<a href="/briefs/cassava">Your brief was published</a>' in html


@pytest.mark.parametrize("url", ["https://evil.example/x", "//evil.example/x", "javascript:x"])
def test_a_stored_outside_address_is_never_linked(client, focal, url):
    _note(focal, "Suspicious link", url=url)
    login(client, focal)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Suspicious link" in html and "evil.example" not in html and "javascript:" not in html


def test_filter_by_category_shows_only_that_category_with_unread_counts(client, focal):
    _note(focal, "A reply arrived", Category.REPLY)
    _note(focal, "Another reply", Category.REPLY, read_at=utcnow())
    _note(focal, "A report is due", Category.REPORTING)
    login(client, focal)
    html = client.get(f"{PAGE}?category=reply").get_data(as_text=True)
    assert "A reply arrived" in html and "Another reply" in html
    assert "A report is due" not in html
    assert re.search(
        r'aria-current="page"[^>]*>Replies\s*<span class="unread-count">\(1 unread\)', html
    )
    assert re.search(r">Reports due\s*<span class=\"unread-count\">\(1 unread\)", html)
    assert re.search(r">All\s*<span class=\"unread-count\">\(2 unread\)", html)


def test_unread_only_view_hides_read_notifications(client, focal):
    _note(focal, "Unread one")
    _note(focal, "Read one", read_at=utcnow())
    login(client, focal)
    html = client.get(f"{PAGE}?unread=1").get_data(as_text=True)
    assert "Unread one" in html and "Read one" not in html


def test_unknown_category_gives_a_clear_message(client, focal):
    login(client, focal)
    response = client.get(f"{PAGE}?category=gossip", follow_redirects=True)
    assert "There is no notification category “gossip”" in response.get_data(as_text=True)


def test_pages_of_twenty_with_a_link_to_the_next(client, focal):
    for n in range(25):
        _note(focal, f"Event number {n:02d}", age_minutes=100 - n)
    login(client, focal)
    first = client.get(PAGE).get_data(as_text=True)
    second = client.get(f"{PAGE}?page=2").get_data(as_text=True)
    assert len(_items(first)) == 20 and len(_items(second)) == 5
    assert "Event number 24" in first and "Event number 04" not in first
    assert "Event number 04" in second and "Event number 00" in second
    assert 'rel="next" href="/notifications/?page=2"' in first
    assert "25 notifications" in first


def test_mark_one_read(client, focal):
    row = _note(focal, "Read me")
    login(client, focal)
    response = post(client, f"/notifications/{row.id}/read", {}, form_url=PAGE)
    assert response.status_code == 303
    assert _current(row.id).read_at is not None


def test_marking_read_again_keeps_the_first_reading_time(focal):
    first_read = utcnow() - timedelta(days=2)
    row = _note(focal, "Read long ago", read_at=first_read)
    inbox.mark_read(focal, row.id)
    assert _current(row.id).read_at == first_read


def test_another_users_notification_id_is_not_found_and_stays_unread(client, focal, other):
    theirs = _note(other, "Not yours")
    login(client, focal)
    response = post(client, f"/notifications/{theirs.id}/read", {}, form_url=PAGE)
    assert response.status_code == 404
    assert _current(theirs.id).read_at is None


def test_mark_read_without_csrf_token_is_refused(client, focal):
    row = _note(focal, "Protected")
    login(client, focal)
    client.get(PAGE)
    response = client.post(f"/notifications/{row.id}/read", data={})
    assert response.status_code == 400
    assert _current(row.id).read_at is None


def test_mark_all_read_marks_only_mine(client, focal, other):
    mine = [_note(focal, f"Mine {n}") for n in range(3)]
    theirs = _note(other, "Theirs")
    login(client, focal)
    response = post(client, "/notifications/read", {}, form_url=PAGE)
    assert response.status_code == 303
    assert all(_current(r.id).read_at is not None for r in mine)
    assert _current(theirs.id).read_at is None


def test_mark_all_read_in_a_category_leaves_the_others_unread(client, focal):
    reply = _note(focal, "Reply", Category.REPLY)
    match = _note(focal, "Match", Category.MATCH)
    login(client, focal)
    response = post(client, "/notifications/read", {"category": "reply"}, form_url=PAGE)
    assert response.headers["Location"].endswith("/notifications/?category=reply")
    assert _current(reply.id).read_at is not None and _current(match.id).read_at is None


def test_mark_all_read_says_how_many(client, focal):
    _note(focal, "One")
    _note(focal, "Two")
    login(client, focal)
    response = post(client, "/notifications/read", {}, form_url=PAGE, follow_redirects=True)
    assert "2 notifications marked as read." in response.get_data(as_text=True)


def test_mark_read_returns_to_the_same_filtered_page(client, focal):
    row = _note(focal, "Filtered", Category.MATCH)
    login(client, focal)
    token = csrf_token(client, PAGE)
    response = client.post(
        f"/notifications/{row.id}/read",
        data={"csrf_token": token, "category": "match", "unread": "1", "page": "2"},
    )
    assert response.headers["Location"].endswith("/notifications/?category=match&unread=1&page=2")


def test_unread_count_counts_only_my_unread(focal, other):
    _note(focal, "a")
    _note(focal, "b")
    _note(focal, "c", read_at=utcnow())
    _note(other, "d")
    assert inbox.unread_count(focal) == 2


def test_unread_count_is_zero_for_the_public_and_inactive_accounts(app, focal):
    from flask_login import AnonymousUserMixin

    _note(focal, "x")
    focal.is_active = False
    db.session.commit()
    assert inbox.unread_count(AnonymousUserMixin()) == 0
    assert inbox.unread_count(focal) == 0


def test_the_site_navigation_shows_the_unread_count(client, focal):
    _note(focal, "x")
    _note(focal, "y")
    login(client, focal)
    html = client.get("/").get_data(as_text=True)
    assert '<span class="badge" aria-hidden="true">2</span>' in html
    assert '<span class="visually-hidden">(2 unread)</span>' in html


def test_the_navigation_has_no_badge_when_all_is_read(client, focal):
    inbox.mark_read(focal, _note(focal, "x").id)
    login(client, focal)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/notifications/">Notifications</a>' in html
    assert 'class="badge"' not in html


def test_notifications_of_a_deleted_account_go_with_it(focal):
    row_id = _note(focal, "x").id
    db.session.delete(focal)
    db.session.commit()
    assert db.session.scalar(select(Notification).where(Notification.id == row_id)) is None


def test_mark_all_read_from_a_later_page_returns_to_the_first(client, focal):
    _note(focal, "Unread")
    login(client, focal)
    response = post(client, "/notifications/read", {"unread": "1", "page": "3"}, form_url=PAGE)
    assert response.headers["Location"].endswith("/notifications/?unread=1")
