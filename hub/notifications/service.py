"""The one way any part of the Hub tells a user that something happened.

``notify`` only adds rows to the caller's session: the notification is committed (or rolled
back) with the change it reports, so no one is told about something that did not happen.
"""

from __future__ import annotations

from collections.abc import Iterable

from hub.accounts.models import User
from hub.extensions import db
from hub.notifications.models import Category, Notification

MESSAGE_MAX = 500


def notify(user: User | int, category: Category, message: str, url: str = "") -> Notification:
    """Queue a notification for ``user`` in the current transaction."""
    user_id = user if isinstance(user, int) else user.id
    row = Notification(
        user_id=user_id,
        category=category,
        message=" ".join(message.split())[:MESSAGE_MAX],
        url=url[:500],
    )
    db.session.add(row)
    return row


def notify_many(
    users: Iterable[User | int], category: Category, message: str, url: str = ""
) -> list[Notification]:
    """The same notification for several users, each user once."""
    seen: set[int] = set()
    rows = []
    for user in users:
        user_id = user if isinstance(user, int) else user.id
        if user_id in seen:
            continue
        seen.add(user_id)
        rows.append(notify(user_id, category, message, url))
    return rows
