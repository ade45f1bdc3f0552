"""What base.html needs from notifications: the unread count for the nav badge."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user

from hub.notifications.inbox import unread_count


def unread_notifications() -> int:
    """The current user's unread count (0 for the public); one COUNT on an indexed column."""
    return unread_count(current_user)


def register(app: Flask) -> None:
    app.jinja_env.globals["unread_notifications"] = unread_notifications
