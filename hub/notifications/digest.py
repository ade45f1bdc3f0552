"""E-mail digests: one plain-text summary per period of the notifications a user has not read.

Run hourly by the job queue (``hub.jobs.schedule``), or now by ``flask hub send-digests``. Rules,
and why:
- A user is due when their period has elapsed since their last digest, less a small margin
  (``MARGIN``): a daily run starting a few seconds earlier than yesterday must not skip a day,
  and the margin is far below an hour, so an hourly job does not drift the digest earlier.
- A digest lists the notifications not yet digested and still unread (one read on the page needs
  no e-mail); those listed are marked digested, so running again sends nothing new. With nothing
  new no e-mail goes out, and the period does not restart.
- Each user is claimed with one conditional UPDATE before the mail goes out, so two runs at the
  same time cannot both send; a refused or failed mail releases the claim and leaves the
  notifications undigested for the next run. A crash between the claim and the release loses that
  one e-mail, never the notifications, which stay on the page.
- Inactive accounts get nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import ngettext
from sqlalchemy import or_, select, update

from hub.accounts.models import User
from hub.dbtypes import utcnow
from hub.extensions import db
from hub.mail import send_mail
from hub.notifications.inbox import CATEGORY_LABELS
from hub.notifications.links import absolute, path_for
from hub.notifications.models import Digest, Notification, NotificationPreference

PERIODS = {Digest.DAILY: timedelta(days=1), Digest.WEEKLY: timedelta(days=7)}
MARGIN = timedelta(minutes=15)
MAX_LISTED = 50  # a longer digest is not read; the rest are counted and linked


@dataclass
class DigestReport:
    sent: list[int] = field(default_factory=list)  # user ids
    failed: list[int] = field(default_factory=list)
    nothing_new: int = 0
    not_due: int = 0


def is_due(pref: NotificationPreference, now: datetime) -> bool:
    """Whether the user's period has elapsed (see the module docstring for the margin)."""
    period = PERIODS.get(pref.digest)
    if period is None:
        return False
    return pref.last_digest_at is None or now - pref.last_digest_at >= period - MARGIN


def send_digests(now: datetime | None = None) -> DigestReport:
    """Send every due digest; each user is handled and committed on their own."""
    now = now or utcnow()
    report = DigestReport()
    prefs = db.session.execute(
        select(NotificationPreference.user_id)
        .join(User, User.id == NotificationPreference.user_id)
        .where(NotificationPreference.digest != Digest.OFF, User.is_active.is_(True))
        .order_by(NotificationPreference.user_id)
    ).scalars()
    for user_id in list(prefs):
        _send_one(user_id, now, report)
    return report


def _pending(user_id: int, now: datetime) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.digested_at.is_(None),
                Notification.read_at.is_(None),
                Notification.created_at <= now,
            )
            .order_by(Notification.created_at.desc(), Notification.id.desc())
        )
    )


def claim_period(pref: NotificationPreference, now: datetime) -> bool:
    """Take the user's period for this run: fails when another run took it first."""
    cutoff = now - (PERIODS[pref.digest] - MARGIN)
    result = db.session.execute(
        update(NotificationPreference)
        .where(
            NotificationPreference.user_id == pref.user_id,
            NotificationPreference.digest == pref.digest,
            or_(
                NotificationPreference.last_digest_at.is_(None),
                NotificationPreference.last_digest_at <= cutoff,
            ),
        )
        .values(last_digest_at=now),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


def _send_one(user_id: int, now: datetime, report: DigestReport) -> None:
    pref = db.session.get(NotificationPreference, user_id)
    user = db.session.get(User, user_id)
    if pref is None or user is None or not is_due(pref, now):
        report.not_due += 1
        return
    items = _pending(user_id, now)
    if not items:
        report.nothing_new += 1
        return
    previous = pref.last_digest_at
    ids = [n.id for n in items]
    if not claim_period(pref, now):
        db.session.rollback()
        report.not_due += 1
        return
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.digested_at.is_(None))
        .values(digested_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    subject, body = compose(user, pref.digest, items)
    if send_mail(user.email, subject, body):
        report.sent.append(user_id)
        return
    _release(user_id, ids, previous)
    report.failed.append(user_id)


def _release(user_id: int, ids: list[int], previous: datetime | None) -> None:
    db.session.execute(
        update(Notification).where(Notification.id.in_(ids)).values(digested_at=None),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(NotificationPreference)
        .where(NotificationPreference.user_id == user_id)
        .values(last_digest_at=previous),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    db.session.expire_all()


def compose(user: User, digest: Digest, items: list[Notification]) -> tuple[str, str]:
    """Subject and plain-text body: the notifications grouped by category, newest first."""
    total = len(items)
    if digest is Digest.WEEKLY:
        subject = ngettext(
            "Your weekly Hub digest: %(num)d new notification",
            "Your weekly Hub digest: %(num)d new notifications",
            total,
        )
    else:
        subject = ngettext(
            "Your daily Hub digest: %(num)d new notification",
            "Your daily Hub digest: %(num)d new notifications",
            total,
        )
    groups: dict = defaultdict(list)
    for item in items[:MAX_LISTED]:
        link = absolute(item.link) if item.link else ""
        groups[item.category].append((f"{item.created_at:%Y-%m-%d %H:%M}", item.message, link))
    sections = [
        (str(label), groups[category])
        for category, label in CATEGORY_LABELS.items()
        if groups.get(category)
    ]
    body = render_template(
        "mail/digest.txt",
        name=user.name,
        total=total,
        sections=sections,
        more=max(total - MAX_LISTED, 0),
        url=absolute(path_for("notifications.index")),
    )
    return subject, body
