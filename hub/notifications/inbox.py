"""A user's own notifications: the page's listing, unread counts, marking read, digest choice.

Every query here is scoped to the acting user's id: a notification of someone else is treated
as one that does not exist (404), so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from hub import permissions
from hub.accounts.models import User
from hub.dbtypes import utcnow
from hub.errors import Invalid, NotFound
from hub.extensions import db
from hub.notifications.models import Category, Digest, Notification, NotificationPreference
from hub.pagination import Page, paginate
from hub.permissions import Action

PER_PAGE = 20

# In the order the page offers them as filters.
CATEGORY_LABELS = {
    Category.SUBMISSION: _l("Submissions"),
    Category.APPLICATION: _l("Applications"),
    Category.REPLY: _l("Replies"),
    Category.MATCH: _l("Matches"),
    Category.REPORTING: _l("Reports due"),
}
DIGEST_LABELS = {
    Digest.OFF: _l("No e-mail digest"),
    Digest.DAILY: _l("Daily"),
    Digest.WEEKLY: _l("Weekly"),
}


def _viewer(user: Any) -> User:
    permissions.require(user, Action.NOTIFICATIONS_VIEW)
    return user


def parse_category(value: str | None) -> Category | None:
    """The category named in a URL or form; empty means all. Unknown names are the user's
    mistake (an edited address), answered with a message rather than an empty page."""
    if not value:
        return None
    try:
        return Category(value)
    except ValueError:
        raise Invalid(_("There is no notification category “%(name)s”.", name=value[:40])) from None


def list_page(
    user: Any,
    *,
    category: Category | None = None,
    unread_only: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[Notification]:
    """The user's notifications, newest first."""
    viewer = _viewer(user)
    stmt = select(Notification).where(Notification.user_id == viewer.id)
    if category is not None:
        stmt = stmt.where(Notification.category == category)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
    return paginate(stmt, page, per_page)


def unread_count(user: Any) -> int:
    """Unread notifications of ``user``; 0 for the public, so a nav badge can always ask."""
    if not permissions.can(user, Action.NOTIFICATIONS_VIEW):
        return 0
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def unread_by_category(user: Any) -> dict[Category, int]:
    """Unread counts for each category (0 included), for the filter links."""
    viewer = _viewer(user)
    rows = db.session.execute(
        select(Notification.category, func.count(Notification.id))
        .where(Notification.user_id == viewer.id, Notification.read_at.is_(None))
        .group_by(Notification.category)
    )
    counts = dict.fromkeys(Category, 0)
    counts.update({category: n for category, n in rows})
    return counts


def mark_read(user: Any, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; the first reading time is kept."""
    viewer = _viewer(user)
    row = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == viewer.id
        )
    )
    if row is None:
        raise NotFound()
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.commit()
    return row


def mark_all_read(user: Any, category: Category | None = None) -> int:
    """Mark every unread notification of the user (in ``category``, if given) read; how many.

    One UPDATE, so a notification that arrives meanwhile is either marked or stays unread,
    never half-handled."""
    viewer = _viewer(user)
    stmt = update(Notification).where(
        Notification.user_id == viewer.id, Notification.read_at.is_(None)
    )
    if category is not None:
        stmt = stmt.where(Notification.category == category)
    result = db.session.execute(
        stmt.values(read_at=utcnow()), execution_options={"synchronize_session": False}
    )
    db.session.commit()
    return result.rowcount


def preference(user: Any) -> NotificationPreference:
    """The user's digest choice; an unsaved default (no digest) if they never chose."""
    viewer = _viewer(user)
    found = db.session.get(NotificationPreference, viewer.id)
    return found or NotificationPreference(user_id=viewer.id, digest=Digest.OFF)


def set_digest(user: Any, digest: Digest) -> NotificationPreference:
    """Choose how often the user gets an e-mail digest. The time of the last digest is kept,
    so switching between daily and weekly does not bring a digest early."""
    viewer = _viewer(user)
    for _attempt in range(2):
        row = db.session.get(NotificationPreference, viewer.id)
        if row is None:
            row = NotificationPreference(user_id=viewer.id)
            db.session.add(row)
        row.digest = digest
        try:
            db.session.commit()
        except IntegrityError:
            # The same user saved in another tab at the same moment; take their row.
            db.session.rollback()
            continue
        return row
    raise Invalid(_("Your choice could not be saved; please try again."))
