"""Requests for the notification routes of the route matrix (policy in
route_policy.d/notifications.yml). Each call acts on notifications made for it alone."""

from __future__ import annotations

from sqlalchemy import select

from hub.accounts.models import Role
from hub.extensions import db
from hub.notifications.models import Category, Digest, Notification, NotificationPreference
from hub.notifications.service import notify
from tests.security.route_matrix import Call, World, account, case, current


def _owner(w: World, actor: str) -> int:
    """The actor's own user id; for the public, some other account (the call is refused)."""
    return w.user_ids.get(actor) or account(Role.FOCAL_POINT, "GHA", password=None).id


def _new_notification(user_id: int) -> int:
    row = notify(user_id, Category.SUBMISSION, "Your policy brief was published.", "/briefs/x")
    db.session.commit()
    return row.id


case("notifications.index", "GET")(lambda w, actor: Call("/notifications/"))


@case("notifications.mark_read", "POST", "own notification")
def _mark_own(w: World, actor: str) -> Call:
    nid = _new_notification(_owner(w, actor))
    return Call(
        f"/notifications/{nid}/read", effect=lambda: current(Notification, nid).read_at is not None
    )


@case("notifications.mark_read", "POST", "another user's notification")
def _mark_other(w: World, actor: str) -> Call:
    nid = _new_notification(account(Role.FOCAL_POINT, "GHA", password=None).id)
    return Call(
        f"/notifications/{nid}/read", effect=lambda: current(Notification, nid).read_at is not None
    )


@case("notifications.mark_all_read", "POST")
def _mark_all(w: World, actor: str) -> Call:
    uid = _owner(w, actor)
    ids = [_new_notification(uid), _new_notification(uid)]

    def effect() -> bool:
        return all(current(Notification, nid).read_at is not None for nid in ids)

    return Call("/notifications/read", effect=effect)


@case("notifications.preferences", "POST")
def _preferences(w: World, actor: str) -> Call:
    uid = _owner(w, actor)

    def effect() -> bool:
        db.session.expire_all()
        digest = db.session.scalar(
            select(NotificationPreference.digest).where(NotificationPreference.user_id == uid)
        )
        return digest is Digest.WEEKLY

    return Call("/notifications/preferences", lambda: {"digest": "weekly"}, effect=effect)
