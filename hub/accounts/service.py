"""Account rules: logging in (with shared rate limits), invitations, passwords, roles, disabling.

Every change that should end a user's sessions bumps ``session_version``; sessions and
remember-me cookies carry the version they were made with and stop working when it moves.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from hub import audit, permissions, ratelimit
from hub.accounts import passwords, tokens
from hub.accounts.models import Role, User
from hub.countries.models import Country
from hub.dbtypes import utcnow
from hub.errors import Conflict, HubError, Invalid, NotFound
from hub.extensions import db
from hub.mail import send_mail
from hub.permissions import Action

ACCOUNT_WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 10  # failures for one account from one address
IP_WINDOW = timedelta(minutes=10)
IP_LIMIT = 30  # failures from one address over all accounts
# One scope: a hit for "address|e-mail" also counts for the address (see hub/ratelimit.py).
ACCOUNT_AT_ADDRESS = ratelimit.Limit("login", ACCOUNT_LIMIT, ACCOUNT_WINDOW)
ADDRESS = ratelimit.Limit("login", IP_LIMIT, IP_WINDOW)
# Reset mails: anyone may ask for any address, so both the address mailed and the client asking
# are limited. The address's window is a reset link's lifetime (``reset_limit_to_address``).
RESET_MAILS_PER_ADDRESS = 3
RESET_REQUESTS_PER_CLIENT = 10
RESET_CLIENT = ratelimit.Limit("reset-client", RESET_REQUESTS_PER_CLIENT, timedelta(hours=1))


class LoginRefused(HubError):
    status = 401


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str, *, ip: str) -> User:
    """Check a login. Counters live in the database, so all worker processes share them.

    Limits are per account *and address*, plus per address: an attacker elsewhere cannot lock
    the real user out. Unknown e-mails take the same path and time as known ones.
    """
    email = normalize_email(email)
    # The attempt is recorded *before* the slow password check, so attempts in flight on other
    # workers are already counted: parallel guesses cannot slip past the limit.
    account_key = ratelimit.key_of(ip, email)
    ratelimit.record(ACCOUNT_AT_ADDRESS, account_key)  # the longer window of the two
    db.session.commit()
    if ratelimit.is_exceeded(ACCOUNT_AT_ADDRESS, account_key) or ratelimit.is_exceeded(
        ADDRESS, ratelimit.key_of(ip)
    ):
        digest = hashlib.sha256(email.encode()).hexdigest()[:12]
        audit.log("login", "locked_out", obj=f"email-sha256:{digest}")
        raise ratelimit.LimitReached(_("Too many failed attempts. Wait 15 minutes and try again."))
    user = find_by_email(email)
    usable = user is not None and user.is_active and user.password_hash is not None
    ok = passwords.verify_password(user.password_hash if user and usable else None, password)
    if user is None or not (usable and ok):
        audit.log("login", "failure", user=user if usable else None)
        raise LoginRefused(_("The e-mail address or the password is not right."))
    # The successful attempt and earlier failures from this address no longer count.
    ratelimit.clear(ACCOUNT_AT_ADDRESS, account_key)
    user.last_login_at = utcnow()
    db.session.commit()
    audit.log("login", "success", user=user)
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of ``user`` (caller commits)."""
    user.session_version += 1


def logout(user: User) -> None:
    end_sessions(user)
    db.session.commit()
    audit.log("logout", "success", user=user)


def _check_password(user: User, password: str) -> None:
    problems = passwords.policy_problems(password, email=user.email, name=user.name)
    if problems:
        raise Invalid(" ".join(str(p) for p in problems))


def set_password(user: User, password: str, *, reason: str) -> None:
    """Set a new password (from an invitation, a reset or a change) and end other sessions."""
    _check_password(user, password)
    user.password_hash = passwords.hash_password(password)
    end_sessions(user)
    db.session.commit()
    audit.log("password_set", "success", user=user, reason=reason)


def change_password(user: User, current: str, new: str) -> None:
    if not passwords.verify_password(user.password_hash, current):
        audit.log("password_change", "failure", user=user)
        raise Invalid(_("Your current password is not right."))
    set_password(user, new, reason="change")


def _link(endpoint: str, token: str) -> str:
    from flask import current_app

    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return base + url_for(endpoint, token=token)


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    country_iso3: str | None,
    by: Any,
    commit: bool = True,
) -> User:
    """Create an account without a password; the person sets one through an invitation.

    ``commit=False`` leaves the account in the caller's transaction (accepting an application
    creates its country's accounts together with the membership, or nothing at all)."""
    if by is not None:
        permissions.require(by, Action.USER_MANAGE)
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise Invalid(_("Give a valid e-mail address."))
    if find_by_email(email) is not None:
        raise Conflict(_("An account with this e-mail address already exists."))
    user = User(email=email, name=name.strip(), role=role)
    _set_country(user, role, country_iso3)
    db.session.add(user)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    audit.log("user_create", "success", user=by, obj=user, role=role.value)
    return user


def _set_country(user: User, role: Role, country_iso3: str | None) -> None:
    """A focal point speaks for one country; staff work for all of them and have none.

    A country given with a staff role is refused rather than dropped: whoever typed it
    probably meant a focal point, and quietly ignoring it would hide that mistake."""
    if role is Role.FOCAL_POINT:
        if not country_iso3:
            raise Invalid(_("A focal point needs a country."))
        country = db.session.scalar(select(Country).where(Country.iso3 == country_iso3.upper()))
        if country is None:
            raise NotFound(
                _(
                    "Unknown country code “%(code)s”: use a three-letter ISO code such as GHA.",
                    code=country_iso3[:10],
                )
            )
        user.country = country
    else:
        if country_iso3:
            raise Invalid(
                _(
                    "Only focal points belong to a country: leave the country empty for a "
                    "Secretariat editor or an administrator."
                )
            )
        user.country = None


def people() -> list[User]:
    """Every account, for the administrators' list: by role, then by e-mail address."""
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def country_choices() -> list[tuple[str, str]]:
    """Countries to pick from, by name, each shown with its code: "Ghana (GHA)"."""
    rows = db.session.execute(select(Country.iso3, Country.name).order_by(Country.name))
    return [(iso3, f"{name} ({iso3})") for iso3, name in rows]


def is_self(user: User, by: Any) -> bool:
    """Administrators do not change their own role or disable themselves: another one must."""
    return user.id == getattr(by, "id", None)


def send_invitation(user: User, *, by: Any) -> bool:
    if by is not None:
        permissions.require(by, Action.USER_MANAGE)
    link = _link("accounts.accept_invitation", tokens.make_token(user, tokens.INVITE))
    hours = tokens.max_age(tokens.INVITE) // 3600
    body = render_template("mail/invitation.txt", name=user.name, hours=hours, link=link)
    sent = send_mail(user.email, _("Your invitation to the Knowledge Hub"), body)
    audit.log("invite", "sent" if sent else "mail_failed", user=by, obj=user)
    return sent


def reset_limit_to_address() -> ratelimit.Limit:
    """Reset mails one address may receive, over the lifetime of a reset link.

    Someone refused by it was mailed a link within that time, and that link still works, so a
    stranger who keeps asking for a member's address cannot keep them from resetting."""
    return ratelimit.Limit(
        "reset-address",
        RESET_MAILS_PER_ADDRESS,
        timedelta(seconds=tokens.max_age(tokens.RESET)),
    )


def _reset_allowed(email: str, ip: str) -> bool:
    """Whether a reset mail to ``email`` asked for from ``ip`` may go out.

    Every request counts for the client. Only requests let through count for the address, and
    unknown addresses count exactly as known ones do, so the work done (and its time) does not
    depend on whether the address has an account."""
    client = ratelimit.key_of(ip)
    ratelimit.record(RESET_CLIENT, client)
    db.session.commit()
    if ratelimit.is_exceeded(RESET_CLIENT, client):
        return False
    return ratelimit.acquire(reset_limit_to_address(), ratelimit.key_of(email))


def request_password_reset(email: str, *, ip: str) -> None:
    """Send a reset link if the account exists and no limit is reached; the caller answers the
    same in every case, so the answer tells nobody which addresses are members."""
    email = normalize_email(email)
    allowed = _reset_allowed(email, ip)
    user = find_by_email(email)
    # Every branch does the same slow work and none waits for the mail server, so the time
    # taken does not tell whether the address has an account.
    passwords.verify_password(None, "equal time")
    if not allowed:
        audit.log("password_reset_request", "limited", obj=user)
        return
    if user is None or not user.is_active:
        audit.log("password_reset_request", "unknown")
        return
    link = _link("accounts.reset_password", tokens.make_token(user, tokens.RESET))
    minutes = tokens.max_age(tokens.RESET) // 60
    body = render_template("mail/password_reset.txt", name=user.name, minutes=minutes, link=link)
    send_mail(user.email, _("Reset your Knowledge Hub password"), body)
    audit.log("password_reset_request", "sent", obj=user)


def change_role(user: User, role: Role, country_iso3: str | None, *, by: Any) -> None:
    permissions.require(by, Action.USER_MANAGE)
    if is_self(user, by) and role is not Role.ADMIN:
        raise Invalid(_("You cannot remove your own admin role."))
    old = user.role
    with db.session.no_autoflush:  # the country look-up must not flush a half-changed user
        _set_country(user, role, country_iso3)
        user.role = role
    end_sessions(user)
    db.session.commit()
    audit.log("role_change", "success", user=by, obj=user, old=old.value, new=role.value)


def set_active(user: User, active: bool, *, by: Any) -> None:
    permissions.require(by, Action.USER_MANAGE)
    if is_self(user, by) and not active:
        raise Invalid(_("You cannot disable your own account."))
    user.is_active = active
    end_sessions(user)
    db.session.commit()
    audit.log("user_enable" if active else "user_disable", "success", user=by, obj=user)
