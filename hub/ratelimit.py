"""The one rate limiter: how often a key (an address, an account at an address) may do something.

Hits are rows in the database, so every worker process on every host counts the same hits; an
in-memory counter would give each process its own allowance. A ``Limit`` names what is counted
(its ``scope``), how many hits are allowed and over which sliding window.

Keys are paths: ``"198.51.100.7|ana@example.org"`` is an account at an address, and a hit for it
also counts for its leading part ``"198.51.100.7"``, so one scope can limit both the account at an
address and the address over all accounts, and forgiving the account forgives its hits in both.

Callers decide when a hit is recorded: logins record the attempt before the slow password
check, so guesses in flight on other workers already count; expressions of interest record one
only when it is accepted; ``acquire`` keeps a hit only when it is within the limit, for limits a
stranger could otherwise keep full on someone else's behalf (reset mails to an address).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, Integer, String, delete, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from hub.dbtypes import UTCDateTime, utcnow
from hub.errors import HubError
from hub.extensions import db

SEPARATOR = "|"
KEY_LENGTH = 320  # an address (64) and an e-mail address (254)


class LimitReached(HubError):
    """Too many hits for one key; the caller's message says when to try again."""

    status = 429


@dataclass(frozen=True)
class Limit:
    scope: str  # what is counted, e.g. "login"; at most 32 characters
    allowed: int  # hits allowed within ``window``
    window: timedelta


class RateLimitHit(db.Model):
    """One counted action of a key in a scope (a failed login, an accepted form, a stored file)."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_scope_key", "scope", "key", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def key_of(*parts: str) -> str:
    """The key of a path of parts, the widest first (``key_of(ip, email)``)."""
    return SEPARATOR.join(parts)[:KEY_LENGTH]


def _matches(key: str):  # noqa: ANN202 - a SQL condition
    key = key[:KEY_LENGTH]
    return or_(
        RateLimitHit.key == key, RateLimitHit.key.startswith(key + SEPARATOR, autoescape=True)
    )


def record(limit: Limit, key: str) -> RateLimitHit:
    """Count one hit of ``key`` in the caller's transaction (the caller commits); the new hit.

    Hits older than the window can never count again, so they are deleted here: the table holds
    at most one window of hits per scope. Limits that share a scope record with the one of the
    longest window.
    """
    db.session.execute(
        delete(RateLimitHit).where(
            RateLimitHit.scope == limit.scope, RateLimitHit.created_at < utcnow() - limit.window
        )
    )
    hit = RateLimitHit(scope=limit.scope, key=key[:KEY_LENGTH])
    db.session.add(hit)
    return hit


def acquire(limit: Limit, key: str) -> bool:
    """Count one hit of ``key`` only if it is within the limit, and say whether it was.

    A refused hit is not kept, so asking again and again cannot stretch the wait past one
    window. The hit is committed before it is counted, so callers in other worker processes see
    each other's: two at once may both be refused, never both let through over the limit. Commits
    the caller's session (the hit must be visible to other processes before the count).
    """
    hit = record(limit, key)
    db.session.flush()
    hit_id = hit.id
    db.session.commit()
    if not is_exceeded(limit, key):
        return True
    db.session.execute(delete(RateLimitHit).where(RateLimitHit.id == hit_id))
    db.session.commit()
    return False


def count(limit: Limit, key: str) -> int:
    """Hits of ``key`` and its sub-keys within the window, including this session's uncommitted
    hits."""
    return (
        db.session.scalar(
            select(func.count(RateLimitHit.id)).where(
                RateLimitHit.scope == limit.scope,
                _matches(key),
                RateLimitHit.created_at >= utcnow() - limit.window,
            )
        )
        or 0
    )


def is_exceeded(limit: Limit, key: str, *, adding: int = 0) -> bool:
    """Whether ``key`` has (with ``adding`` more hits would have) more hits than allowed.

    Callers that record first ask with ``adding=0``; callers that check before an action and
    record it only when it succeeds ask whether that one more hit (``adding=1``) is too many.
    """
    return count(limit, key) + adding > limit.allowed


def clear(limit: Limit, key: str) -> None:
    """Forget the hits of ``key`` and its sub-keys (a successful login forgives the earlier
    failures); the caller commits."""
    db.session.execute(delete(RateLimitHit).where(RateLimitHit.scope == limit.scope, _matches(key)))
