"""Signed, expiring, single-use links for invitations and password resets.

A token carries the user id and a fingerprint of the account's password hash and session version.
Setting a password changes both, so a used token no longer matches: single use without a table.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hub.accounts.models import User
from hub.extensions import db

INVITE = "invite"
RESET = "reset"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"hub-{purpose}")


def _fingerprint(user: User) -> str:
    source = f"{user.password_hash or ''}|{user.session_version}|{user.is_active}"
    return hashlib.sha256(source.encode()).hexdigest()[:20]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def max_age(purpose: str) -> int:
    if purpose == INVITE:
        return current_app.config["INVITE_MAX_AGE_HOURS"] * 3600
    return current_app.config["RESET_MAX_AGE_MINUTES"] * 60


def read_token(token: str, purpose: str) -> User | None:
    """The user a valid, unexpired, unused token names; None otherwise (no reason is given)."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age(purpose))
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        return None
    return user
