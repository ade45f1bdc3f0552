"""Sessions: Flask-Login wiring, idle and absolute timeouts, and no caching of private pages.

A session or remember-me cookie names ``<user id>:<session version>``; the loader refuses it when
the version has moved (logout, password change, disabling, role change) or the user is disabled.
"""

from __future__ import annotations

import time

from flask import Flask, Response, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from hub.accounts.models import User
from hub.extensions import db, login_manager

LOGIN_AT = "_hub_login_at"
SEEN_AT = "_hub_seen_at"


def load_user(user_id: str) -> User | None:
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


def start_session(user: User, *, remember: bool) -> None:
    """A brand-new session: nothing from before the login survives (no fixation)."""
    session.clear()
    login_user(user, remember=remember, fresh=True)
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session.permanent = False


def end_session() -> None:
    logout_user()
    session.clear()
    session["_remember"] = "clear"  # keep Flask-Login's request to delete the remember cookie


def _expired(app: Flask) -> bool:
    now = int(time.time())
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        # Restored from a remember-me cookie: a new, non-fresh session starts now.
        session[LOGIN_AT] = session[SEEN_AT] = now
        return False
    idle = app.config["IDLE_TIMEOUT_MINUTES"] * 60
    absolute = app.config["ABSOLUTE_TIMEOUT_HOURS"] * 3600
    if now - seen_at > idle or now - login_at > absolute:
        return True
    session[SEEN_AT] = now
    return False


def register(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.refresh_view = "accounts.login"
    # "strong" clears a session restored from a remember-me cookie on its second request
    # (Flask-Login #248/#685); "basic" marks a changed client non-fresh instead, and sensitive
    # steps require a fresh login anyway.
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.needs_refresh_message = _l("Please log in again to confirm it is you.")

    @app.before_request
    def _timeouts():  # noqa: ANN202
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        if _expired(app):
            end_session()
            flash(_l("Your session has ended. Please log in again."))
            return redirect(url_for("accounts.login", next=request.path))
        return None

    @app.after_request
    def _private_pages_are_not_cached(response: Response) -> Response:
        if current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response
