"""E-mail digests against a real local SMTP server: content, periods, idempotence, failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.dbtypes import utcnow
from hub.extensions import db
from hub.notifications import inbox
from hub.notifications.commands import send_digests_command
from hub.notifications.digest import MARGIN, MAX_LISTED, send_digests
from hub.notifications.models import Category, Digest, Notification, NotificationPreference
from hub.notifications.service import notify
from tests import factories
from tests.mailserver import free_port

DAY, WEEK = timedelta(days=1), timedelta(days=7)


@pytest.fixture
def mail(app, smtp_server):
    smtp_server.configure(app)
    return smtp_server


@pytest.fixture
def reader(app):
    return factories.user(role=Role.FOCAL_POINT, country_code="GHA", password=None)


def _subscribe(user, digest=Digest.DAILY, last=None):
    inbox.set_digest(user, digest)
    if last is not None:
        db.session.get(NotificationPreference, user.id).last_digest_at = last
        db.session.commit()


def _note(user, message, category=Category.SUBMISSION, url="", age=timedelta(minutes=5), **extra):
    row = notify(user, category, message, url)
    row.created_at = utcnow() - age
    for name, value in extra.items():
        setattr(row, name, value)
    db.session.commit()
    return row.id


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _rows(*ids):
    db.session.expire_all()
    return [db.session.get(Notification, i) for i in ids]


def _pref(user_id):
    db.session.expire_all()
    return db.session.get(NotificationPreference, user_id)


def test_digest_lists_unread_notifications_by_category_with_links(mail, reader):
    _subscribe(reader)
    _note(reader, "Your policy brief “Cassava” was published.", url="/briefs/cassava")
    _note(reader, "Kenya replied in “Funding roadmaps”.", Category.REPLY, url="/discussions/4")
    _note(reader, "Already read on the page", read_at=utcnow())
    _note(factories.user(role=Role.EDITOR, country_code=None, password=None), "Someone else's news")
    report = send_digests()
    (message,) = mail.wait_for(1)
    body = _body(message)
    assert report.sent == [reader.id]
    assert message["To"] == reader.email
    assert message["Subject"] == "Your daily Hub digest: 2 new notifications"
    assert f"Hello {reader.name}," in body
    submissions, replies = body.index("Submissions\n"), body.index("Replies\n")
    published = body.index("Your policy brief “Cassava” was published.")
    assert submissions < published < replies < body.index("Kenya replied")
    assert "  http://127.0.0.1:5000/briefs/cassava" in body
    assert "  http://127.0.0.1:5000/discussions/4" in body
    assert "Already read" not in body and "Someone else" not in body
    assert "http://127.0.0.1:5000/notifications/#digest" in body


def test_weekly_digest_says_weekly(mail, reader):
    _subscribe(reader, Digest.WEEKLY)
    _note(reader, "One thing")
    send_digests()
    assert mail.wait_for(1)[0]["Subject"] == "Your weekly Hub digest: 1 new notification"


def test_sent_notifications_are_marked_digested_and_the_period_restarts(mail, reader):
    _subscribe(reader)
    ids = [_note(reader, "a"), _note(reader, "b")]
    now = utcnow()
    send_digests(now)
    assert all(row.digested_at == now for row in _rows(*ids))
    assert all(row.read_at is None for row in _rows(*ids))  # a digest is not a reading
    assert _pref(reader.id).last_digest_at == now


def test_running_twice_sends_nothing_new(mail, reader):
    _subscribe(reader)
    _note(reader, "Only once")
    send_digests()
    second = send_digests()
    assert len(mail.messages) == 1 and second.sent == []


def test_nothing_is_sent_when_there_is_nothing_new_and_the_period_does_not_restart(mail, reader):
    _subscribe(reader)
    _note(reader, "Seen already", read_at=utcnow())
    report = send_digests()
    assert mail.messages == [] and report.nothing_new == 1
    assert _pref(reader.id).last_digest_at is None


def test_a_later_notification_waits_for_the_next_period(mail, reader):
    now = utcnow()
    _subscribe(reader, last=now - timedelta(hours=2))
    _note(reader, "Arrived after the last digest")
    report = send_digests(now)
    assert mail.messages == [] and report.not_due == 1
    send_digests(now + DAY)
    assert "Arrived after the last digest" in _body(mail.wait_for(1)[0])


@pytest.mark.parametrize(
    ("digest", "elapsed", "due"),
    [
        (Digest.DAILY, DAY - MARGIN, True),
        (Digest.DAILY, DAY - MARGIN - timedelta(seconds=1), False),
        (Digest.DAILY, DAY, True),
        (Digest.WEEKLY, WEEK - MARGIN, True),
        (Digest.WEEKLY, WEEK - MARGIN - timedelta(seconds=1), False),
        (Digest.WEEKLY, DAY * 6, False),
    ],
)
def test_period_boundaries(mail, reader, digest, elapsed, due):
    now = utcnow()
    _subscribe(reader, digest, last=now - elapsed)
    _note(reader, "Something new", age=timedelta(minutes=1))
    report = send_digests(now)
    assert (report.sent == [reader.id]) is due
    assert len(mail.messages) == (1 if due else 0)


def test_a_daily_job_that_starts_a_little_earlier_does_not_skip_a_day(mail, reader):
    yesterday = utcnow() - DAY + timedelta(seconds=40)  # yesterday's run started 40 s later
    _subscribe(reader, last=yesterday)
    _note(reader, "Today's news")
    assert send_digests().sent == [reader.id]


def test_first_digest_goes_out_at_the_first_run_after_choosing(mail, reader):
    _note(reader, "Before the choice", age=timedelta(days=3))
    _subscribe(reader)
    assert send_digests().sent == [reader.id]


def test_users_without_a_digest_get_nothing(mail, reader):
    other = factories.user(role=Role.EDITOR, country_code=None, password=None)
    _subscribe(other, Digest.OFF)
    _note(reader, "No preference row at all")
    _note(other, "Chose no digest")
    report = send_digests()
    assert mail.messages == [] and report.sent == []


def test_inactive_users_get_nothing_and_their_notifications_stay_undigested(mail, reader):
    _subscribe(reader)
    row = _note(reader, "For a disabled account")
    reader.is_active = False
    db.session.commit()
    report = send_digests()
    assert mail.messages == [] and report.sent == []
    assert _rows(row)[0].digested_at is None


def test_refused_mail_leaves_notifications_for_the_next_run(mail, reader):
    _subscribe(reader)
    ids = [_note(reader, "Keep me"), _note(reader, "And me")]
    mail.refuse.add(reader.email)
    report = send_digests()
    assert report.failed == [reader.id] and report.sent == []
    assert all(row.digested_at is None for row in _rows(*ids))
    assert _pref(reader.id).last_digest_at is None
    mail.refuse.clear()
    assert send_digests().sent == [reader.id]
    assert "Keep me" in _body(mail.wait_for(1)[0])


def test_mail_server_down_leaves_notifications_for_the_next_run(app, reader):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)
    _subscribe(reader, last=utcnow() - WEEK)
    before = _pref(reader.id).last_digest_at
    row = _note(reader, "Undelivered")
    report = send_digests()
    assert report.failed == [reader.id]
    assert _rows(row)[0].digested_at is None
    assert _pref(reader.id).last_digest_at == before


def test_one_failure_does_not_stop_the_others(mail, reader):
    other = factories.user(role=Role.EDITOR, country_code=None, password=None)
    for person in (reader, other):
        _subscribe(person)
        _note(person, f"News for {person.name}")
    mail.refuse.add(reader.email)
    report = send_digests()
    assert report.failed == [reader.id] and report.sent == [other.id]


def test_a_long_digest_lists_the_newest_and_counts_the_rest(mail, reader):
    _subscribe(reader)
    ids = [_note(reader, f"Item {n:03d}", age=timedelta(minutes=100 - n)) for n in range(55)]
    send_digests()
    body = _body(mail.wait_for(1)[0])
    assert body.count("\n- ") == MAX_LISTED
    assert "Item 054" in body and "Item 004" not in body
    assert "… and 5 more." in body
    assert all(row.digested_at is not None for row in _rows(*ids))


def test_notifications_made_after_the_run_started_wait(mail, reader):
    now = utcnow()
    _subscribe(reader)
    later = _note(reader, "Made during the run", age=-timedelta(seconds=5))
    _note(reader, "Made before")
    send_digests(now)
    assert "Made during the run" not in _body(mail.wait_for(1)[0])
    assert _rows(later)[0].digested_at is None


def test_command_reports_what_it_sent(app, mail, reader):
    _subscribe(reader)
    _note(reader, "Via the command")
    result = app.test_cli_runner().invoke(send_digests_command)
    assert result.exit_code == 0, result.output
    assert "Digests sent: 1;" in result.output
    assert "Via the command" in _body(mail.wait_for(1)[0])


def test_command_exits_with_an_error_when_a_mail_failed(app, mail, reader):
    _subscribe(reader)
    _note(reader, "Refused")
    mail.refuse.add(reader.email)
    result = app.test_cli_runner().invoke(send_digests_command)
    assert result.exit_code == 1
    assert "failed (kept for the next run): 1" in result.output
    assert db.session.scalar(select(Notification.digested_at)) is None


def test_a_second_run_that_read_the_same_state_cannot_send_the_period_again(mail, reader):
    """Two runs at once: the one whose conditional claim comes second finds the period taken."""
    from hub.notifications import digest

    now = utcnow()
    _subscribe(reader)
    pref = db.session.get(NotificationPreference, reader.id)
    assert digest.claim_period(pref, now) is True
    db.session.commit()
    assert digest.claim_period(pref, now) is False
