"""The site's navigation, decided by the access rule rather than by the template.

Each link is shown when ``hub.permissions.can`` says its reader may use the page behind it, so
a link never leads a reader to a login prompt or a 403 the rule already predicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub.accounts.models import Role
from hub.notifications.inbox import unread_count
from hub.permissions import Action, can

ROLE_NAMES = {
    Role.FOCAL_POINT: _l("Focal point"),
    Role.EDITOR: _l("Secretariat editor"),
    Role.ADMIN: _l("Administrator"),
}


@dataclass(frozen=True)
class NavLink:
    label: Any  # a lazy string, translated when shown
    url: str
    badge: int = 0  # a count shown beside the label (unread notifications)
    badge_label: Any = ""


@dataclass(frozen=True)
class UserMenu:
    """What the header's account menu shows a logged-in person: who they are and their pages."""

    name: str
    description: str  # "Focal point · Ghana", "Secretariat editor", "Administrator"
    unread: int
    unread_label: Any
    links: list[NavLink] = field(default_factory=list)
    logout_url: str = ""


def main_links() -> list[NavLink]:
    """What everyone reads: the knowledge and the Partnership's public pages."""
    return [
        NavLink(_l("Guidebook"), url_for("guidebook.index")),
        NavLink(_l("Policy briefs"), url_for("documents.index", kind_path="briefs")),
        NavLink(_l("Experiences"), url_for("documents.index", kind_path="experiences")),
        NavLink(_l("Countries"), url_for("countries.index")),
        NavLink(_l("Peer learning"), url_for("peers.index")),
        NavLink(_l("Reporting"), url_for("reporting.index")),
        NavLink(_l("SDGs"), url_for("sdg.index")),
        NavLink(_l("About"), url_for("pages.about")),
    ]


def account_links(user: Any) -> list[NavLink]:
    """Beside the public pages: joining and logging in for the public; shared work for members.

    A member's own pages (workspace, notifications, password, logging out) are in ``user_menu``.
    """
    if not can(user, Action.WORKSPACE_VIEW):
        return [
            NavLink(_l("Join the Partnership"), url_for("applications.apply")),
            NavLink(_l("Log in"), url_for("accounts.login")),
        ]
    links = []
    if can(user, Action.DISCUSSION_READ):
        links.append(NavLink(_l("Discussions"), url_for("forum.index")))
    if can(user, Action.APPLICATION_REVIEW):
        links.append(NavLink(_l("Applications"), url_for("applications.review_queue")))
    return links


def describe_role(user: Any) -> str:
    """A person's role in words, with the country a focal point speaks for."""
    role = str(ROLE_NAMES[user.role])
    if user.role is Role.FOCAL_POINT and user.country is not None:
        return _("%(role)s · %(country)s", role=role, country=user.country.name)
    return role


def user_menu(user: Any) -> UserMenu | None:
    """The account menu of a logged-in person; None for the public (they get "Log in")."""
    if not can(user, Action.WORKSPACE_VIEW):
        return None
    unread = unread_count(user) if can(user, Action.NOTIFICATIONS_VIEW) else 0
    links = [NavLink(_l("Workspace"), url_for("workspace.dashboard"))]
    if can(user, Action.NOTIFICATIONS_VIEW):
        links.append(
            NavLink(
                _l("Notifications"),
                url_for("notifications.index"),
                badge=unread,
                badge_label=_l("%(n)d unread", n=unread),
            )
        )
    if can(user, Action.USER_MANAGE):
        links.append(NavLink(_l("Accounts"), url_for("accounts.users")))
    if can(user, Action.SEARCH_ANALYTICS_VIEW):
        links.append(NavLink(_l("Search analytics"), url_for("search_analytics.report")))
    if can(user, Action.JOBS_MANAGE):
        links.append(NavLink(_l("Background jobs"), url_for("jobs.failed")))
    links.append(NavLink(_l("Change password"), url_for("accounts.change_password")))
    return UserMenu(
        name=user.name,
        description=describe_role(user),
        unread=unread,
        unread_label=_l("%(n)d unread", n=unread),
        links=links,
        logout_url=url_for("accounts.logout"),
    )
