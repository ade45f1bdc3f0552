"""The site's navigation, decided by the access rule rather than by the template.

Each link is shown when ``hub.permissions.can`` says its reader may use the page behind it, so
a link never leads a reader to a login prompt or a 403 the rule already predicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from hub.notifications.inbox import unread_count
from hub.permissions import Action, can


@dataclass(frozen=True)
class NavLink:
    label: Any  # a lazy string, translated when shown
    url: str
    badge: int = 0  # a count shown beside the label (unread notifications)
    badge_label: Any = ""


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
    """The reader's own pages: log in for the public; work, discussions and notices for members."""
    if not can(user, Action.WORKSPACE_VIEW):
        return [
            NavLink(_l("Join the Partnership"), url_for("applications.apply")),
            NavLink(_l("Log in"), url_for("accounts.login")),
        ]
    links = [NavLink(_l("Workspace"), url_for("workspace.dashboard"))]
    if can(user, Action.DISCUSSION_READ):
        links.append(NavLink(_l("Discussions"), url_for("forum.index")))
    if can(user, Action.APPLICATION_REVIEW):
        links.append(NavLink(_l("Applications"), url_for("applications.review_queue")))
    if can(user, Action.NOTIFICATIONS_VIEW):
        unread = unread_count(user)
        links.append(
            NavLink(
                _l("Notifications"),
                url_for("notifications.index"),
                badge=unread,
                badge_label=_l("%(n)d unread", n=unread),
            )
        )
    return links
